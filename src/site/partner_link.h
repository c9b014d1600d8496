// The four protocol operations as sent to one partner site. Production: signed HTTP requests; unit tests:
// sites wired together in memory.
#pragma once

#include <string>

#include "core/result.h"
#include "site/messages.h"

namespace tern::site {

class PartnerLink {
 public:
  virtual ~PartnerLink() = default;
  virtual Result<OfferList> RequestMigration(const std::string& partner, const MigrationRequest& request) = 0;
  virtual Result<ForcedAnswer> ForceMigration(const std::string& partner, const ForcedMigration& request) = 0;
  virtual Result<TransferResult> InitiateTransfer(const std::string& partner,
                                                  const InitiateTransfer& request) = 0;
  virtual Result<TransferResult> VerifyTransfer(const std::string& partner,
                                                const TransferVerification& request) = 0;
};

}  // namespace tern::site
