#include "virt/libvirt_events.h"

#include <libvirt/libvirt.h>

#include <utility>

namespace tern::virt {
namespace {

// libvirt owns these opaques and frees them with the matching free callback when a registration ends.
struct CallbackContext {
  std::shared_ptr<EventSink> sink;
};
struct CloseContext {
  std::shared_ptr<EventSink> sink;
  std::shared_ptr<std::atomic<bool>> closed;
};

void FreeCallbackContext(void* opaque) {
  std::unique_ptr<CallbackContext>(static_cast<CallbackContext*>(opaque));
}
void FreeCloseContext(void* opaque) {
  std::unique_ptr<CloseContext>(static_cast<CloseContext*>(opaque));
}

std::string UuidOf(virDomainPtr dom) {
  char uuid[VIR_UUID_STRING_BUFLEN] = {};
  if (virDomainGetUUIDString(dom, uuid) < 0) return {};
  return uuid;
}

int OnLifecycle(virConnectPtr /*conn*/, virDomainPtr dom, int event, int detail, void* opaque) {
  auto* ctx = static_cast<CallbackContext*>(opaque);
  const char* name = virDomainGetName(dom);
  ctx->sink->PushEvent(DecodeLifecycleEvent(name != nullptr ? name : "", UuidOf(dom), event, detail));
  return 0;
}

void OnJobCompleted(virConnectPtr /*conn*/, virDomainPtr dom, virTypedParameterPtr params, int nparams,
                    void* opaque) {
  auto* ctx = static_cast<CallbackContext*>(opaque);
  ctx->sink->PushJobCompleted(UuidOf(dom), NumericTypedParams(params, nparams));
}

}  // namespace

void OnConnectionClosed(virConnectPtr /*conn*/, int /*reason*/, void* opaque) {
  auto* ctx = static_cast<CloseContext*>(opaque);
  ctx->closed->store(true);
  ctx->sink->MarkDisconnected();
}

Status RegisterCallbacks(Session& session, const std::shared_ptr<EventSink>& sink, const std::string& uri) {
  virConnectPtr conn = session.conn.get();
  struct Registration {
    int id;
    virConnectDomainEventGenericCallback cb;
    const char* what;
  };
  const Registration registrations[] = {
      {VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(OnLifecycle), "lifecycle"},
      {VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, VIR_DOMAIN_EVENT_CALLBACK(OnJobCompleted), "job-completed"},
  };
  for (const auto& r : registrations) {
    auto ctx = std::make_unique<CallbackContext>(CallbackContext{sink});
    int id = virConnectDomainEventRegisterAny(conn, nullptr, r.id, r.cb, ctx.get(), FreeCallbackContext);
    if (id < 0) return LastLibvirtError("cannot register " + std::string(r.what) + " events at " + uri);
    static_cast<void>(ctx.release());  // owned by libvirt now
    session.callback_ids.push_back(id);
  }
  auto close_ctx = std::make_unique<CloseContext>(CloseContext{sink, session.closed});
  if (virConnectRegisterCloseCallback(conn, OnConnectionClosed, close_ctx.get(), FreeCloseContext) < 0)
    return LastLibvirtError("cannot register the close callback at " + uri);
  static_cast<void>(close_ctx.release());
  session.close_callback = true;
  return Status::Ok();
}

}  // namespace tern::virt
