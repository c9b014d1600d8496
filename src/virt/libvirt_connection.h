// One port's connection to a libvirtd: opens it, watches it (close callback, keepalive), re-connects after a
// libvirtd restart with event callbacks re-registered, and runs the port's event thread (internal to
// src/virt).
#pragma once

#include <libvirt/libvirt.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "virt/domain_event.h"
#include "virt/libvirt_handles.h"
#include "virt/libvirt_hypervisor.h"
#include "virt/typed_params.h"

namespace tern::virt {

// Where libvirt's callbacks (on the event-loop thread) leave their news; read by the port's event thread and
// by Migrate. Outlives the connection that feeds it (callbacks hold shared_ptrs to it).
struct EventSink {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<DomainEvent> events;
  bool disconnected = false;  // a close callback fired; the event thread re-connects
  bool closed = false;        // the port is going away: drop everything
  std::map<std::string, NumericParams> completed_jobs;  // by domain UUID, from JOB_COMPLETED events

  void PushEvent(DomainEvent event);
  void PushJobCompleted(const std::string& uuid, NumericParams stats);
  void MarkDisconnected();
  // Waits up to `timeout` for a JOB_COMPLETED of `uuid` and takes it.
  std::optional<NumericParams> TakeJobCompleted(const std::string& uuid, std::chrono::milliseconds timeout);
  void ForgetJobCompleted(const std::string& uuid);
};

// One open virConnect with its callbacks; deregisters and closes on destruction.
struct Session {
  ConnectHandle conn;
  std::vector<int> callback_ids;
  bool close_callback = false;
  std::shared_ptr<std::atomic<bool>> closed = std::make_shared<std::atomic<bool>>(false);

  Session() = default;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session();
  bool Alive() const { return !closed->load() && virConnectIsAlive(conn.get()) == 1; }
};

class LibvirtConnection {
 public:
  // Unavailable naming the URI when libvirtd cannot be reached.
  static Result<std::unique_ptr<LibvirtConnection>> Open(const LibvirtOptions& opts);
  LibvirtConnection(const LibvirtConnection&) = delete;
  LibvirtConnection& operator=(const LibvirtConnection&) = delete;
  ~LibvirtConnection();
  explicit LibvirtConnection(LibvirtOptions opts);  // use Open()

  // The live session; when the connection is down, tries to re-connect once before failing with Unavailable.
  Result<std::shared_ptr<Session>> Get();
  // A call on `session` failed: if its connection is dead, returns Unavailable (and wakes the re-connector),
  // else `error` unchanged.
  Status Classify(const std::shared_ptr<Session>& session, Status error);

  void SetEventHandler(std::function<void(const DomainEvent&)> handler);
  EventSink& sink() { return *sink_; }
  const std::string& uri() const { return opts_.uri; }

 private:
  Result<std::shared_ptr<Session>> OpenSession();
  Status ReconnectLocked();  // with session_mu_ held
  bool TryReconnect();       // event thread: true when the session is alive afterwards
  void EventThread();

  LibvirtOptions opts_;
  std::shared_ptr<EventSink> sink_ = std::make_shared<EventSink>();
  std::mutex session_mu_;  // guards session_ and serialises re-connects
  std::shared_ptr<Session> session_;
  std::mutex handler_mu_;
  std::function<void(const DomainEvent&)> handler_;
  std::thread event_thread_;
};

}  // namespace tern::virt
