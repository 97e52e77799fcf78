"""Configuration keys: GetConfiguration and ChangeConfiguration."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion


def heartbeat_key(version: OcppVersion) -> str:
    # 1.2 and 1.5 spell it HeartBeatInterval; 1.6 HeartbeatInterval.
    return "HeartbeatInterval" if version is OcppVersion.V16 else "HeartBeatInterval"


@case(octt="TC_019_CS", title="Retrieve configuration", sut="charge-point", profile="Core",
      versions=("1.6", "1.5"), spec={"1.6": "OCPP 1.6 §5.8, §9.1", "1.5": "OCPP 1.5 §5.6, §6.9"})
async def test_retrieve_configuration(cs, charge_point, case_version):
    """GetConfiguration without keys returns every configuration key the charge point
    has, each with its value and whether it is read-only. Asked for given keys, it returns
    exactly those it knows and lists the others as unknown."""
    everything = await cs.command(Op.GET_CONFIGURATION)
    names = [k.key for k in everything.configuration_key]
    wanted = heartbeat_key(case_version)
    if wanted not in names:
        raise CaseFailed(f"GetConfiguration without keys does not report {wanted}")
    if len(names) != len(set(names)):
        raise CaseFailed("GetConfiguration reports a key twice")
    some = await cs.command(Op.GET_CONFIGURATION, key=[wanted, "OcppCertNoSuchKey"])
    got = [k.key for k in some.configuration_key]
    if got != [wanted]:
        raise CaseFailed(f"asked for {wanted} and an unknown key, got configurationKey {got}")
    if list(some.unknown_key) != ["OcppCertNoSuchKey"]:
        raise CaseFailed(f"the unknown key is not in unknownKey: {list(some.unknown_key)}")


@case(octt="TC_021_CS", title="Change/set Configuration", sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §5.3, §4.6", "1.5": "OCPP 1.5 §5.3, §4.6",
            "1.2": "OCPP 1.2 §5 ChangeConfiguration, §4 Heartbeat"})
async def test_change_configuration(cs, charge_point, case_version):
    """ChangeConfiguration of a writable key is Accepted and takes effect: after setting
    the heartbeat interval the charge point sends Heartbeat at that interval (and, where
    GetConfiguration exists, reports the new value)."""
    key = heartbeat_key(case_version)
    interval = 2
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key=key, value=str(interval))
    if reply.status.value != "Accepted":
        raise CaseFailed(f"ChangeConfiguration {key}={interval} answered {reply.status.value}")
    if case_version is not OcppVersion.V12:
        read = await cs.command(Op.GET_CONFIGURATION, key=[key])
        values = [(k.key, k.value) for k in read.configuration_key]
        if values != [(key, str(interval))]:
            raise CaseFailed(f"after the change GetConfiguration reports {values}")
    first = await cs.expect(Op.HEARTBEAT, timeout=interval * 3 + 2,
                            what=f"Heartbeat within {interval} s of idleness")
    second = await cs.expect(Op.HEARTBEAT, timeout=interval * 3 + 2, what="a second Heartbeat")
    gap = (second.at - first.at).total_seconds()
    if gap > interval * 2 + 1:
        raise CaseFailed(f"heartbeats {gap:.1f} s apart with {key}={interval}",
                         evidence=(first.seq, second.seq))


@case(octt="TC_040_1_CS", title="Configuration key - NotSupported", sut="charge-point",
      profile="Core", spec={"1.6": "OCPP 1.6 §5.3", "1.5": "OCPP 1.5 §5.3",
                            "1.2": "OCPP 1.2 §5 ChangeConfiguration"})
async def test_unknown_configuration_key(cs, charge_point, case_version):
    """ChangeConfiguration of a key the charge point does not know is answered NotSupported."""
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key="OcppCertNoSuchKey", value="1")
    if reply.status.value != "NotSupported":
        raise CaseFailed(f"an unknown key was answered {reply.status.value}, not NotSupported")


@case(octt="TC_040_2_CS", title="Configuration key - Invalid value", sut="charge-point",
      profile="Core", spec={"1.6": "OCPP 1.6 §5.3", "1.5": "OCPP 1.5 §5.3",
                            "1.2": "OCPP 1.2 §5 ChangeConfiguration"})
async def test_invalid_configuration_value(cs, charge_point, case_version):
    """ChangeConfiguration with a value the key cannot take (a heartbeat interval that is
    not a number) is answered Rejected, and the key keeps its value."""
    key = heartbeat_key(case_version)
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key=key, value="not-a-number")
    if reply.status.value != "Rejected":
        raise CaseFailed(f"{key}=not-a-number was answered {reply.status.value}, not Rejected")
    if case_version is not OcppVersion.V12:
        read = await cs.command(Op.GET_CONFIGURATION, key=[key])
        if any(k.value == "not-a-number" for k in read.configuration_key):
            raise CaseFailed(f"the rejected value was stored: {key}=not-a-number")
