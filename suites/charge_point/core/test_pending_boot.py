"""Booting with a Pending answer: the Central System configures the charge point first."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed

PENDING_INTERVAL = 4  # s: the interval of the Pending answer
HEARTBEAT_INTERVAL = 2  # s: the interval of the Accepted answer
TOLERANCE = 0.25  # s: timer resolution allowed on the SUT's side
KEY = "ConnectionTimeOut"  # a required, writable 1.6 key to configure while Pending


@case(octt="TC_002_CS", title="Cold Boot Charge Point - Pending", sut="charge-point",
      profile="Core", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §4.2, §5.3, §5.8, §9.1"})
async def test_cold_boot_pending(cs, charge_point, pics):
    """A Pending answer to BootNotification lets the Central System prepare the charge
    point before accepting it: meanwhile the charge point answers the Central System's
    requests (GetConfiguration, ChangeConfiguration) but sends none of its own other
    than BootNotification, which it repeats no sooner than the interval given. Once
    Accepted it reports every connector and connector 0, sends Heartbeat at the
    interval of the Accepted answer, and keeps the configuration set while Pending."""
    cs.answer_boot("Pending", PENDING_INTERVAL)
    cs.answer_boot("Accepted", HEARTBEAT_INTERVAL)
    await charge_point.power_cycle()
    first = await cs.expect(Op.BOOT_NOTIFICATION, timeout=60)

    read = await cs.command(Op.GET_CONFIGURATION, key=[KEY])
    values = {k.key: k.value for k in read.configuration_key}
    if KEY not in values:
        raise CaseFailed(f"GetConfiguration while Pending does not report {KEY}, a required "
                         f"key (reported: {sorted(values)}, unknown: {list(read.unknown_key)})")
    wanted = "47" if values[KEY] != "47" else "53"
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key=KEY, value=wanted)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"ChangeConfiguration {KEY}={wanted} while Pending answered "
                         f"{reply.status.value}")

    second = await cs.expect(Op.BOOT_NOTIFICATION, timeout=PENDING_INTERVAL + 15,
                             what="a BootNotification again after the Pending interval")
    waited = (second.at - first.at).total_seconds()
    if waited < PENDING_INTERVAL - TOLERANCE:
        raise CaseFailed(f"BootNotification repeated {waited:.2f} s after the Pending one; the "
                         f"interval was {PENDING_INTERVAL} s", evidence=(first.seq, second.seq))
    early = [r for r in cs.inbox if first.seq < r.seq < second.seq]
    if early:
        raise CaseFailed(f"{early[0].op.value} sent while the boot was Pending",
                         evidence=tuple(r.seq for r in early))

    for connector in range(pics.connectors + 1):
        # statuses of the boot before the power cycle may still be arriving: skip them
        status = first
        while status.seq < second.seq:
            status = await cs.expect(Op.STATUS_NOTIFICATION, timeout=10,
                                     where=lambda m, c=connector: m.connector_id == c,
                                     what=f"StatusNotification for connector {connector} "
                                          "after the Accepted boot")
        if status.message.status.value != "Available":
            raise CaseFailed(f"connector {connector} reported {status.message.status.value} "
                             "after the boot, not Available", evidence=(status.seq,))
    await cs.expect(Op.HEARTBEAT, timeout=HEARTBEAT_INTERVAL * 2 + 5,
                    what="Heartbeat at the interval of the Accepted boot")
    read = await cs.command(Op.GET_CONFIGURATION, key=[KEY])
    kept = {k.key: k.value for k in read.configuration_key}.get(KEY)
    if kept != wanted:
        raise CaseFailed(f"{KEY} was set to {wanted} while Pending but reads {kept} once "
                         "Accepted")
