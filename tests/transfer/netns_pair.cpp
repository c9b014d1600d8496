#include "netns_pair.h"

#include <signal.h>

#include <sstream>

#include "sim_hosts.h"

namespace tern::transfer::testing {

using tern::testing::RunCommand;
using tern::testing::RunShell;

std::string NetnsPair::UnavailableReason() {
  if (::geteuid() != 0) return "network namespaces need root";
  auto ip = RunShell("command -v ip && command -v tc");
  if (!ip.ok() || ip->exit_code != 0)
    return "ip and tc (iproute2) are not installed (run scripts/install-deps)";
  return "";
}

Result<std::unique_ptr<NetnsPair>> NetnsPair::Create(const std::string& prefix) {
  std::unique_ptr<NetnsPair> p(new NetnsPair());
  const std::string id = prefix + std::to_string(::getpid());
  p->ns_a_ = id + "-a";
  p->ns_b_ = id + "-b";
  p->dev_a_ = (id + "a").substr(0, 15);
  p->dev_b_ = (id + "b").substr(0, 15);
  if (p->dev_a_ == p->dev_b_) return Status::InvalidArgument("netns prefix too long: " + prefix);
  std::ostringstream cmd;
  cmd << "ip netns add " << p->ns_a_ << " && ip netns add " << p->ns_b_ << " && ip link add " << p->dev_a_
      << " netns " << p->ns_a_ << " type veth peer name " << p->dev_b_ << " netns " << p->ns_b_;
  for (const auto& [ns, dev, ip] :
       {std::tuple{p->ns_a_, p->dev_a_, kIpA}, std::tuple{p->ns_b_, p->dev_b_, kIpB}}) {
    cmd << " && ip -n " << ns << " addr add " << ip << "/24 dev " << dev << " && ip -n " << ns << " link set "
        << dev << " up && ip -n " << ns << " link set lo up";
  }
  auto r = RunCommand(cmd.str());
  if (!r.ok()) return r.status();  // the destructor removes what was made
  return p;
}

NetnsPair::~NetnsPair() {
  for (const std::string& ns : {ns_a_, ns_b_}) {
    if (ns.empty()) continue;
    // Whatever still runs in the namespace was started by this test run.
    (void)RunShell("for p in $(ip netns pids " + ns + " 2>/dev/null); do kill -9 $p; done; ip netns del " +
                   ns + " 2>/dev/null");
  }
}

Status NetnsPair::Shape(int mbit) {
  for (const Side s : {Side::kA, Side::kB}) {
    (void)RunShell("tc -n " + ns(s) + " qdisc del dev " + dev(s) + " root 2>/dev/null");
    if (mbit > 0) {
      auto r = RunCommand("tc -n " + ns(s) + " qdisc add dev " + dev(s) + " root tbf rate " +
                          std::to_string(mbit) + "mbit burst 128kb latency 100ms");
      if (!r.ok()) return r.status();
    }
  }
  return Status::Ok();
}

Status NetnsPair::SetLinkUp(bool up) {
  return RunCommand("ip -n " + ns_a_ + " link set " + dev_a_ + (up ? " up" : " down")).status();
}

Result<uint64_t> NetnsPair::TxBytes(Side s) const {
  TERN_ASSIGN_OR_RETURN(const std::string out, RunCommand("ip netns exec " + ns(s) + " cat /sys/class/net/" +
                                                          dev(s) + "/statistics/tx_bytes"));
  return std::stoull(out);
}

}  // namespace tern::transfer::testing
