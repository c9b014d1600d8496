// SocatRelay: one socat process, run inside a simulated host or gateway, that relays every connection
// accepted at a listening address to a target address. The stand-in for tern's transfer proxy in tests of the
// site topology; its log tells which connections went through it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/status.h"

namespace tern::testing {

class SocatRelay {
 public:
  // `prefix` is the argv that enters the namespace (SimHosts::GatewayCommand/HostCommand). `listen` and
  // `target` are socat addresses, e.g. "TCP-LISTEN:16509,bind=10.101.7.1" (",reuseaddr,fork" is added) and
  // "TCP:10.100.7.2:26509", or "UNIX-LISTEN:/path" and "UNIX-CONNECT:/path". socat's log (-d -d) goes to
  // `log_path`. Returns once socat listens, or an error with the log when it could not.
  static Result<std::unique_ptr<SocatRelay>> Start(const std::vector<std::string>& prefix,
                                                   const std::string& listen, const std::string& target,
                                                   const std::string& log_path);
  // TCP-LISTEN:listen_port,bind=listen_ip -> TCP:target_ip:target_port.
  static Result<std::unique_ptr<SocatRelay>> Tcp(const std::vector<std::string>& prefix,
                                                 const std::string& listen_ip, int listen_port,
                                                 const std::string& target_ip, int target_port,
                                                 const std::string& log_path);

  SocatRelay(const SocatRelay&) = delete;
  SocatRelay& operator=(const SocatRelay&) = delete;
  ~SocatRelay();  // Stop()

  // Peers ("IP:PORT", or the socket path for unix listeners) of the connections accepted so far.
  std::vector<std::string> AcceptedPeers() const;
  const std::string& description() const { return description_; }  // "LISTEN -> TARGET"
  const std::string& log_path() const { return log_path_; }
  // Ends socat and the connections it forked (SIGTERM to its process group, SIGKILL after 2 s). Idempotent.
  void Stop();

 private:
  SocatRelay() = default;
  pid_t pid_ = -1;
  std::string description_;
  std::string log_path_;
};

}  // namespace tern::testing
