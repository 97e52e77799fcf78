"""Commands from the Central System: GetConfiguration and ChangeConfiguration, and what the
Central System does with refusals."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed

from ..steps import expect_command, no_repeat, require_field, still_served

GET_SPEC = {"1.6": "OCPP 1.6 §5.8", "1.5": "OCPP 1.5 §5.6"}
CHANGE_SPEC = {"1.6": "OCPP 1.6 §5.3", "1.5": "OCPP 1.5 §5.3",
               "1.2": "OCPP 1.2 §5 ChangeConfiguration"}
KEY, NEW_VALUE = "ConnectionTimeOut", "120"


def keys_of(received) -> list[str]:
    return list(getattr(received.message, "key", None) or [])


@case(octt="TC_019_1_CSMS", title="Retrieve all configuration keys", sut="central-system",
      profile="Core", spec=GET_SPEC, versions=("1.6", "1.5"))
async def test_get_all_configuration(central_system, cp, case_version):
    """Asked for the whole configuration of a charge point, the Central System sends
    GetConfiguration without any key (an empty key list means all keys) to this charge
    point, and keeps serving it after the answer."""
    await cp.boot_accepted()
    await central_system.trigger(cp.identity, Op.GET_CONFIGURATION)
    received = await expect_command(cp, Op.GET_CONFIGURATION, "all keys")
    if keys_of(received):
        raise CaseFailed(f"GetConfiguration for all keys lists keys {keys_of(received)}; "
                         "only an empty list asks for all", evidence=(received.seq,))
    await still_served(cp)


@case(octt="TC_019_2_CSMS", title="Retrieve specific configuration key", sut="central-system",
      profile="Core", spec=GET_SPEC, versions=("1.6", "1.5"))
async def test_get_specific_configuration(central_system, cp, case_version):
    """Asked for one configuration key, the Central System sends GetConfiguration listing
    exactly that key."""
    await cp.boot_accepted()
    await central_system.trigger(cp.identity, Op.GET_CONFIGURATION, key=[KEY])
    received = await expect_command(cp, Op.GET_CONFIGURATION, f"key {KEY}")
    require_field(received, "key list", keys_of(received), [KEY])
    await still_served(cp)


async def change(central_system, cp, key: str, value: str, why: str):
    await central_system.trigger(cp.identity, Op.CHANGE_CONFIGURATION, key=key, value=value)
    received = await expect_command(cp, Op.CHANGE_CONFIGURATION, why)
    require_field(received, "key", received.message.key, key)
    require_field(received, "value", received.message.value, value)
    return received


@case(octt="TC_021_CSMS", title="Change/set Configuration", sut="central-system",
      profile="Core", spec=CHANGE_SPEC)
async def test_change_configuration(central_system, cp, case_version):
    """Asked to set a configuration key, the Central System sends ChangeConfiguration with
    exactly the key and value its operator gave; the charge point accepts it."""
    await cp.boot_accepted()
    await change(central_system, cp, KEY, NEW_VALUE, f"set {KEY}")
    if cp.config.get(KEY) != NEW_VALUE:
        raise CaseFailed(f"{KEY} is {cp.config.get(KEY)!r} after the change, not {NEW_VALUE!r}")
    await still_served(cp)


@case(octt="TC_040_1_CSMS", title="Configuration keys – NotSupported", sut="central-system",
      profile="Core", spec=CHANGE_SPEC)
async def test_change_unknown_key(central_system, cp, case_version):
    """The charge point does not know the key it is asked to change and answers
    NotSupported. The answer is final: the Central System does not send the same
    ChangeConfiguration again and keeps serving the charge point."""
    await cp.boot_accepted()
    await change(central_system, cp, "OcppcertUnknownKey", "1", "an unknown key")
    await no_repeat(cp, Op.CHANGE_CONFIGURATION, "NotSupported")
    await still_served(cp)


@case(octt="TC_040_2_CSMS", title="Configuration keys – Invalid value", sut="central-system",
      profile="Core", spec=CHANGE_SPEC)
async def test_change_invalid_value(central_system, cp, case_version):
    """The charge point finds the value invalid and answers Rejected. The Central System
    takes the answer as final and keeps serving the charge point."""
    await cp.boot_accepted()
    cp.answer(Op.CHANGE_CONFIGURATION, status="Rejected")
    await change(central_system, cp, KEY, "-5", "an invalid value")
    await no_repeat(cp, Op.CHANGE_CONFIGURATION, "Rejected")
    await still_served(cp)
