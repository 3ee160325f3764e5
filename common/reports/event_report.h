#pragma once
// Events as JSON, the one definition `regwatch events|timeline --format json` prints and the HTTP
// API answers with. The flat object puts the envelope fields and the payload's fields side by
// side under the proto's snake_case names (PhoneEvent.device_name is "device"), keys in a stable
// order (envelope, provenance, time info, syslog, raw, then the payload's fields); times are
// RFC 3339 UTC with milliseconds; enums are their lower-case names. Pure.
#include <nlohmann/json.hpp>

#include "regwatch/v1/query.pb.h"

namespace regwatch::reports {

// One stored event as a flat object:
//   id, agent_id, seq, event_time, receive_time, store_time, origin, source, kind,
//   [duplicate_of_source, duplicate_of_event_time] (only for a duplicate),
//   [sender_address, [stated_address], relayed, spoofed] (only with provenance),
//   device_time_untrusted, [device_time], device_time_text, clock_marker, year_inferred,
//   timezone_assumed, [syslog_* ...] (only for syslog events), raw, then every scalar field of
//   the payload (null for an unset optional one); a lease's tftp_servers and a config's
//   cm_group as arrays; a boot stall's BootStall fields as boot_stage, boot_rule, ...,
//   boot_cm_group.
nlohmann::ordered_json event_object(const v1::StoredEvent& stored);

// The list as a JSON array of event_object, in the list's order.
nlohmann::ordered_json events_json(const v1::EventList& list);

}  // namespace regwatch::reports
