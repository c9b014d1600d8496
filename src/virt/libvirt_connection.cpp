#include "virt/libvirt_connection.h"

#include <utility>

#include "virt/libvirt_event_loop.h"
#include "virt/libvirt_events.h"

namespace tern::virt {

// ---- EventSink
// -------------------------------------------------------------------------------------------------

void EventSink::PushEvent(DomainEvent event) {
  {
    std::lock_guard lock(mu);
    if (closed) return;
    events.push_back(std::move(event));
  }
  cv.notify_all();
}

void EventSink::PushJobCompleted(const std::string& uuid, NumericParams stats) {
  {
    std::lock_guard lock(mu);
    if (closed) return;
    completed_jobs[uuid] = std::move(stats);
  }
  cv.notify_all();
}

void EventSink::MarkDisconnected() {
  {
    std::lock_guard lock(mu);
    disconnected = true;
  }
  cv.notify_all();
}

std::optional<NumericParams> EventSink::TakeJobCompleted(const std::string& uuid,
                                                         std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu);
  if (!cv.wait_for(lock, timeout, [&] { return closed || completed_jobs.count(uuid) != 0; }))
    return std::nullopt;
  auto it = completed_jobs.find(uuid);
  if (it == completed_jobs.end()) return std::nullopt;
  NumericParams out = std::move(it->second);
  completed_jobs.erase(it);
  return out;
}

void EventSink::ForgetJobCompleted(const std::string& uuid) {
  std::lock_guard lock(mu);
  completed_jobs.erase(uuid);
}

// ---- Session
// ---------------------------------------------------------------------------------------------------

Session::~Session() {
  if (!conn) return;
  // On a dead connection these fail; the error is of no interest then.
  for (int id : callback_ids) virConnectDomainEventDeregisterAny(conn.get(), id);
  if (close_callback) virConnectUnregisterCloseCallback(conn.get(), OnConnectionClosed);
}

// ---- LibvirtConnection
// -----------------------------------------------------------------------------------------

LibvirtConnection::LibvirtConnection(LibvirtOptions opts) : opts_(std::move(opts)) {}

Result<std::unique_ptr<LibvirtConnection>> LibvirtConnection::Open(const LibvirtOptions& opts) {
  if (opts.uri.empty()) return Status::InvalidArgument("libvirt URI is empty");
  TERN_RETURN_IF_ERROR(EnsureLibvirtEventLoop());
  auto connection = std::make_unique<LibvirtConnection>(opts);
  TERN_ASSIGN_OR_RETURN(connection->session_, connection->OpenSession());
  connection->event_thread_ = std::thread([c = connection.get()] { c->EventThread(); });
  return connection;
}

LibvirtConnection::~LibvirtConnection() {
  {
    std::lock_guard lock(sink_->mu);
    sink_->closed = true;
    sink_->events.clear();
  }
  sink_->cv.notify_all();
  if (event_thread_.joinable()) event_thread_.join();
  std::lock_guard lock(session_mu_);
  session_.reset();
}

Result<std::shared_ptr<Session>> LibvirtConnection::OpenSession() {
  auto session = std::make_shared<Session>();
  session->conn.reset(virConnectOpen(opts_.uri.c_str()));
  if (!session->conn) {
    Status error = LastLibvirtError("cannot connect to libvirt at " + opts_.uri);
    return Status::Unavailable(error.message());
  }
  // Keepalive lets a dead TCP peer be noticed (5 s interval, 3 misses); unix sockets see EOF at once.
  virConnectSetKeepAlive(session->conn.get(), 5, 3);
  Status registered = RegisterCallbacks(*session, sink_, opts_.uri);
  if (!registered.ok()) return Status::Unavailable(registered.message());
  return session;
}

Status LibvirtConnection::ReconnectLocked() {
  std::shared_ptr<Session> old;
  if (!session_ || !session_->Alive()) {
    auto fresh = OpenSession();
    if (!fresh.ok()) return fresh.status();
    old = std::exchange(session_, std::move(fresh).value());
  }
  {
    std::lock_guard lock(sink_->mu);
    sink_->disconnected = false;
  }
  return Status::Ok();  // `old` is closed here (or by the last call still holding it)
}

Result<std::shared_ptr<Session>> LibvirtConnection::Get() {
  std::lock_guard lock(session_mu_);
  if (session_ && session_->Alive()) return session_;
  Status reconnected = ReconnectLocked();
  if (!reconnected.ok())
    return Status::Unavailable("libvirt at " + opts_.uri +
                               " is disconnected and re-connecting failed: " + reconnected.message());
  return session_;
}

Status LibvirtConnection::Classify(const std::shared_ptr<Session>& session, Status error) {
  if (error.ok() || session->Alive()) return error;
  sink_->MarkDisconnected();
  return Status::Unavailable(error.message() + " (connection to " + opts_.uri + " lost)");
}

void LibvirtConnection::SetEventHandler(std::function<void(const DomainEvent&)> handler) {
  std::lock_guard lock(handler_mu_);
  handler_ = std::move(handler);
}

bool LibvirtConnection::TryReconnect() {
  std::lock_guard lock(session_mu_);
  return ReconnectLocked().ok();
}

void LibvirtConnection::EventThread() {
  std::unique_lock lock(sink_->mu);
  while (!sink_->closed) {
    if (!sink_->events.empty()) {
      DomainEvent event = std::move(sink_->events.front());
      sink_->events.pop_front();
      lock.unlock();
      std::function<void(const DomainEvent&)> handler;
      {
        std::lock_guard handler_lock(handler_mu_);
        handler = handler_;
      }
      if (handler) handler(event);
      lock.lock();
      continue;
    }
    if (sink_->disconnected) {
      lock.unlock();
      bool ok = TryReconnect();
      lock.lock();
      if (!ok)
        sink_->cv.wait_for(lock, opts_.reconnect_interval,
                           [&] { return sink_->closed || !sink_->events.empty(); });
      continue;
    }
    sink_->cv.wait(lock, [&] { return sink_->closed || sink_->disconnected || !sink_->events.empty(); });
  }
}

}  // namespace tern::virt
