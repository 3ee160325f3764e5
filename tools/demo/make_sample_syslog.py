#!/usr/bin/env python3
"""Writes the demo's syslog archive: what a NOC syslog server would have stored during
the morning of an unregistration burst (seed 003's story): a virus scan pegs ucm-sub1's
CPU, the heartbeat drops, 38 phones lose keepalives (reason 13) and re-register; a switch
access port flaps meanwhile. Deterministic, so the demo and tests see the same lines.

Usage: tools/demo/make_sample_syslog.py > tools/demo/sample-syslog.log
"""
import random

rng = random.Random(3)
lines = []
seq = {"ucm-sub1": 41000, "ucm-pub": 9000}


def cucm(t, node, body):
    """A CUCM line as a syslog server stores it: its own prefix, then CiscoLog."""
    seq[node] += 1
    ms = rng.randint(0, 999)
    stamp = f"Nov 20 {t}"
    return (f"{stamp} {node} local7 3 : {seq[node]}: {node}.voice.example.net Nov 20 2026 "
            f"{t}.{ms:03d} UTC :  {body}")


def switch(t, host, sw_seq, body):
    return f"Nov 20 {t} {host} {sw_seq}: Nov 20 {t}.{rng.randint(0,999):03d} UTC: {body}"


def hms(seconds):
    return f"{9 + seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


phones = [f"SEP001794{rng.randint(0, 0xFFFFFF):06X}" for _ in range(38)]
t0 = 14 * 60  # 09:14:00
# Morning churn: two phones register after a reboot.
for i, p in enumerate(phones[:2]):
    lines.append(cucm(hms(t0 - 600 + i), "ucm-pub",
                      f"%UC_CALLMANAGER-6-EndPointRegistered: %[DeviceName={p}][IPAddress=10.20.30.{10+i}]"
                      f"[Protocol=SCCP][DeviceType=115][Description=Desk {i}][AppID=Cisco CallManager]"
                      f"[ClusterID=PROD][NodeID=ucm-pub]: Endpoint registered"))
lines.append(cucm(hms(t0), "ucm-sub1",
                  "%UC_RTMT-2-RTMT_ALERT: %[AlertName=CallProcessingNodeCpuPegging][AlertDetail= "
                  "Processor load over configured threshold for configured duration of time . "
                  "Configured high threshold is 90 % ; ucm-sub1: CPU 100 %][AppID=Cisco AMC Service]"
                  "[ClusterID=PROD][NodeID=ucm-sub1]: RTMT Alert"))
lines.append(cucm(hms(t0 + 12), "ucm-sub1",
                  "%UC_CALLMANAGER-4-LowCallManagerHeartbeatRate: %[AppID=Cisco CallManager]"
                  "[ClusterID=PROD][NodeID=ucm-sub1]: Call Manager heartbeat rate below 24 beats per "
                  "minute. Current heartbeat rate is 19 beats per minute."))
for i, p in enumerate(phones):
    lines.append(cucm(hms(t0 + 20 + i // 4), "ucm-sub1",
                      f"%UC_CALLMANAGER-3-EndPointUnregistered: %[DeviceName={p}]"
                      f"[IPAddress=10.20.{31 + i % 6}.{20 + i}][Protocol=SCCP][DeviceType=115]"
                      f"[Description=Desk {i}][Reason=13][IPAddrAttributes=0]"
                      f"[LastSignalReceived=StationKeepAlive][AppID=Cisco CallManager]"
                      f"[ClusterID=PROD][NodeID=ucm-sub1]: An endpoint has unregistered"))
lines.append(switch(hms(t0 + 25), "sw-3f-access", 5521,
                    "%LINK-3-UPDOWN: Interface GigabitEthernet2/0/17, changed state to down"))
lines.append(switch(hms(t0 + 27), "sw-3f-access", 5522,
                    "%LINK-3-UPDOWN: Interface GigabitEthernet2/0/17, changed state to up"))
for i, p in enumerate(phones):
    lines.append(cucm(hms(t0 + 60 + i // 3), "ucm-sub1",
                      f"%UC_CALLMANAGER-6-EndPointRegistered: %[DeviceName={p}]"
                      f"[IPAddress=10.20.{31 + i % 6}.{20 + i}][Protocol=SCCP][DeviceType=115]"
                      f"[Description=Desk {i}][AppID=Cisco CallManager][ClusterID=PROD]"
                      f"[NodeID=ucm-sub1]: Endpoint registered"))
# A phone that moved clusters keeps failing: stale ITL, registration rejected.
lines.append(cucm(hms(t0 + 300), "ucm-pub",
                  "%UC_CALLMANAGER-3-EndPointTransientConnection: %[ConnectingPort=2000]"
                  "[DeviceName=SEPABCDEF123456][IPAddress=10.20.40.7][DeviceType=115][Reason=28]"
                  "[Protocol=SCCP][AppID=Cisco CallManager][ClusterID=PROD][NodeID=ucm-pub]: "
                  "Transient connection attempted"))
lines.append("Nov 20 09:20:01 sw-3f-access 5530: *Mar  1 00:03:12.044: %ILPOWER-5-IEEE_DISCONNECT: "
             "Interface Gi2/0/30: PD removed")
print("\n".join(lines))
