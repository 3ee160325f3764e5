#pragma once
// CUCM alarms that say the CallManager itself went away or came back, or that its
// administrator reset devices, so the collector can tell a restart or a planned reset from a
// network fault (Managed Services Guide alarm catalogue; ../shared/domain/FACTS.md section 1):
//   CallManagerFailure                           -> cm_failed (the ccmCallManagerFailed trap's
//                                                   source alarm)
//   ServiceStopped, ServiceName "Cisco CallManager" -> cm_failed
//   ServiceStarted, ServiceName "Cisco CallManager" -> device_restart
//   EndPointRestartInitiated, DeviceResetInitiated, DeviceRestartInitiated,
//   DeviceApplyConfigInitiated, DevicePoolReset  -> cm_device_reset (planned)
// Other services' stops and starts (Cisco Tftp, Cisco CTIManager...) stay syslog_other: they
// do not unregister phones. Payload: rtmt_alert (alert_name = the alarm; detail = the service,
// device or pool; node = NodeID, else HostName; cluster = ClusterID). Pure.
#include <string_view>

#include "agent/syslog/ciscolog_tags.h"
#include "regwatch/v1/event.pb.h"

namespace regwatch::agent::syslog {

// Types the event and returns true when the mnemonic is one of the alarms above; returns false
// and leaves the event alone otherwise.
bool classify_cucm_service_alarm(std::string_view mnemonic, const Tags& tags, std::string_view text,
                                 regwatch::v1::Event& event);

}  // namespace regwatch::agent::syslog
