"""What a phone reads in the config it downloaded: the CM group members (by priority) and the
load it must run. A .sgn file is the XML behind a signature header: the XML starts at the first
'<?xml' or '<device' (the simulator does not need the header's length to find it).

Regular expressions, not an XML parser: CUCM writes `<device xsi:type="axl:XIPPhone">` without
declaring the prefix, which a namespace-aware parser refuses."""

import re

MEMBER = re.compile(rb"<member\b([^>]*)>(.*?)</member>", re.S)
PRIORITY = re.compile(rb'priority\s*=\s*"(\d+)"')
NODE = re.compile(rb"<processNodeName>\s*([^<]*?)\s*</processNodeName>")
LOAD = re.compile(rb"<loadInformation[^>]*>\s*([^<]*?)\s*</loadInformation>")


def xml_body(data):
    for marker in (b"<?xml", b"<device"):
        at = data.find(marker)
        if at >= 0:
            return data[at:]
    return None


def read_config(data):
    """{"cm_group": [addresses by priority], "load": str or None}, or None if not a config."""
    body = xml_body(data)
    if body is None:
        return None
    members = []
    for n, (attrs, inner) in enumerate(MEMBER.findall(body)):
        node = NODE.search(inner)
        if node and node.group(1):
            prio = PRIORITY.search(attrs)
            members.append((int(prio.group(1)) if prio else 0, n, node.group(1).decode()))
    load = LOAD.search(body)
    return {"cm_group": [m for _, _, m in sorted(members)],
            "load": load.group(1).decode() if load and load.group(1) else None}


def load_file_name(load):
    """The file a phone fetches for a load: SCCP45.9-4-2SR3-1S -> SCCP45.9-4-2SR3-1S.loads."""
    return load if re.search(r"\.(loads|sbn|bin|zz|img)$", load) else load + ".loads"
