"""Booting: BootNotification, its retry rules, the first statuses and heartbeats."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed

REJECT_INTERVAL = 3  # s: how long a rejected charge point must wait before booting again
HEARTBEAT_INTERVAL = 3  # s: the interval given with the Accepted boot
TOLERANCE = 0.25  # s: timer resolution allowed on the SUT's side


@case(octt="TC_001_CS", title="Cold Boot Charge Point", sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §4.2, §4.6, §4.9", "1.5": "OCPP 1.5 §4.2, §4.6, §4.9",
            "1.2": "OCPP 1.2 §4 BootNotification, Heartbeat, StatusNotification"})
async def test_cold_boot(cs, charge_point, case_version, pics):
    """After a power cycle the charge point first sends BootNotification and nothing else
    until it is Accepted. A Rejected answer's interval is the minimum wait before the next
    BootNotification. Once Accepted, it reports the status of every connector and of
    connector 0 (the charge point as a whole), and sends Heartbeat at the interval the
    Accepted answer gave."""
    cs.answer_boot("Rejected", REJECT_INTERVAL)
    cs.answer_boot("Accepted", HEARTBEAT_INTERVAL)
    await charge_point.power_cycle()
    first = await cs.expect(Op.BOOT_NOTIFICATION, timeout=60)
    second = await cs.expect(Op.BOOT_NOTIFICATION, timeout=REJECT_INTERVAL + 30,
                             what="a second BootNotification after the Rejected one")
    waited = (second.at - first.at).total_seconds()
    if waited < REJECT_INTERVAL - TOLERANCE:
        raise CaseFailed(f"BootNotification retried after {waited:.2f} s; the Rejected answer "
                         f"asked for at least {REJECT_INTERVAL} s",
                         evidence=(first.seq, second.seq))
    early = [r for r in cs.inbox if first.seq < r.seq < second.seq]
    if early:
        raise CaseFailed(f"{early[0].op.value} sent while the boot was Rejected",
                         evidence=(early[0].seq,))
    for connector in range(pics.connectors + 1):
        await cs.expect(Op.STATUS_NOTIFICATION, timeout=10,
                        where=lambda m, c=connector: m.connector_id == c,
                        what=f"StatusNotification for connector {connector}")
    heartbeat = await cs.expect(Op.HEARTBEAT, timeout=HEARTBEAT_INTERVAL * 2 + 5,
                                what="Heartbeat at the interval of the Accepted boot")
    assert heartbeat.seq > second.seq
