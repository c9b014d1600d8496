// What the protocol needs from this site's own hosts and transfer proxy: placement options, tickets (proxy
// URI + token), running the transfer at the destination and reporting it at the source.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "site/messages.h"

namespace tern::site {

struct LocalPlacement {
  std::string host;
  double predicted_seconds = 0;
};

class LocalSite {
 public:
  virtual ~LocalSite() = default;
  // Hosts of this site that can take the VM now (empty: none).
  virtual std::vector<LocalPlacement> PlacementsFor(const std::string& vm,
                                                    const VmDescriptor& descriptor) = 0;
  // A destination ticket of this site's proxy for `vm` on `host`, to be presented by `peer_site`.
  virtual Result<ProxyTicket> IssueDestinationTicket(const std::string& vm, const std::string& host,
                                                     const std::string& peer_site) = 0;
  // A source ticket for a VM running here, to be presented by the proxy holding `peer_proxy_key`.
  virtual Result<ProxyTicket> IssueSourceTicket(const std::string& vm, const std::string& host,
                                                const std::string& peer_proxy_key) = 0;
  // Destination side: pull the VM through the proxies into `host`; returns when the transfer ended.
  virtual Result<TransferResult> RunTransfer(const std::string& vm, const std::string& host,
                                             const ProxyTicket& source, const ProxyTicket& destination) = 0;
  // Source side: how the transfer behind `source` ended (succeeded only when the VM left this site).
  virtual Result<TransferResult> SourceTransferStatus(const std::string& vm, const ProxyTicket& source) = 0;
};

}  // namespace tern::site
