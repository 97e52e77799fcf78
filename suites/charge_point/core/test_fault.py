"""Faults: a connector that breaks, and recovers, tells the Central System."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed

from .power_steps import expect_report, from_now, value

CONNECTOR = 1
# An errorCode every version knows (1.2 has no OtherError).
ERROR_CODE = "HighTemperature"


@case(octt="TC_041_CS", title="Fault Behavior", sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §4.9 (StatusNotification)",
            "1.5": "OCPP 1.5 §4.9 (StatusNotification)",
            "1.2": "OCPP 1.2 §4 StatusNotification"})
async def test_fault_behaviour(cs, charge_point, case_version):
    """A fault on a connector is reported with StatusNotification Faulted carrying the
    errorCode that says what is wrong (not NoError); the other connectors are not
    reported faulted. When the fault is gone the connector is reported Available with
    errorCode NoError."""
    since = from_now(cs)
    await charge_point.fault(CONNECTOR, ERROR_CODE)
    faulted = await expect_report(cs, CONNECTOR, "Faulted", since=since,
                                  why=f" ({ERROR_CODE})")
    got = value(faulted.message.error_code)
    if got != ERROR_CODE:
        raise CaseFailed(f"the Faulted status carries errorCode {got}; the fault was "
                         f"{ERROR_CODE}", evidence=(faulted.seq,))
    others = [r for r in cs.seen(Op.STATUS_NOTIFICATION) if since(r.message)
              and r.message.connector_id != CONNECTOR and value(r.message.status) == "Faulted"]
    if others:
        raise CaseFailed(f"connector {others[0].message.connector_id} was reported Faulted "
                         f"too; the fault was on connector {CONNECTOR}",
                         evidence=(others[0].seq,))
    cleared = from_now(cs)
    await charge_point.clear_fault(CONNECTOR)
    available = await expect_report(cs, CONNECTOR, "Available", since=cleared,
                                    why=" once the fault is gone")
    got = value(available.message.error_code)
    if got != "NoError":
        raise CaseFailed(f"Available reported with errorCode {got}, not NoError",
                         evidence=(available.seq,))
