"""Local Authorization List Management: GetLocalListVersion and SendLocalList (OCTT 2.17).

OCPP 1.2 has no local list; these cases run in 1.6 and in 1.5, whose list has the same
operations (plus a hash, see test_list_authorization.py).
"""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import feature, no_profile, profile
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

from ._steps import (
    enable_local_list,
    entry,
    expect_list_version,
    list_version,
    not_supported,
    send_list_expecting,
)

LALM = "LocalAuthListManagement"
GET_VERSION_SPEC = {"1.6": "OCPP 1.6 §5.10, §3.5.2", "1.5": "OCPP 1.5 §5.8"}
SEND_LIST_SPEC = {"1.6": "OCPP 1.6 §5.15, §3.5.2", "1.5": "OCPP 1.5 §5.13"}


@case(octt="TC_042_1_CS", title="Get Local List Version (not supported)", sut="charge-point",
      profile=LALM, versions=("1.6", "1.5"), spec=GET_VERSION_SPEC,
      requires=(no_profile(LALM),))
async def test_list_version_without_a_local_list(cs, charge_point, case_version):
    """A charge point without a local authorisation list answers GetLocalListVersion with
    listVersion -1, the value reserved for "no local list" (0 would claim an empty list).
    Not implementing the operation at all, answered with a SOAP fault NotSupported, is
    accepted too."""
    reply = await not_supported(cs, Op.GET_LOCAL_LIST_VERSION)
    if reply is not None and reply.list_version != -1:
        raise CaseFailed(f"a charge point without a local list answered GetLocalListVersion "
                         f"with listVersion {reply.list_version}; expected -1")


@case(octt="TC_042_2_CS", title="Get Local List Version (empty)", sut="charge-point",
      profile=LALM, versions=("1.6", "1.5"), spec=GET_VERSION_SPEC,
      requires=(profile(LALM),))
async def test_list_version_of_an_empty_list(cs, charge_point, case_version):
    """A charge point with a local list reports listVersion 0 while its list is empty, even
    right after a Full update that carried a version number but no entries."""
    await enable_local_list(cs)
    await send_list_expecting(cs, "Accepted", "Full", 1, why=" (an empty list)")
    await expect_list_version(cs, 0, "after a Full update with no entries (the list is empty)")


@case(octt="TC_043_CS", title="Send Local Authorization List", sut="charge-point",
      profile=LALM, versions=("1.6", "1.5"), spec=SEND_LIST_SPEC,
      requires=(profile(LALM),))
async def test_send_full_then_differential_list(cs, charge_point, case_version):
    """The Central System may replace the whole list (Full) or send changes to it
    (Differential); the charge point accepts both and, once updated, associates the list
    with the version number the update carried."""
    await enable_local_list(cs)
    await send_list_expecting(cs, "Accepted", "Full", 1,
                              [entry("LL-043-A"), entry("LL-043-B", "Blocked")])
    await expect_list_version(cs, 1, "after a Full update to version 1")
    await send_list_expecting(cs, "Accepted", "Differential", 2, [entry("LL-043-C")])
    await expect_list_version(cs, 2, "after a Differential update to version 2")


@case(octt="TC_043_1_CS", title="Send Local Authorization List - NotSupported",
      sut="charge-point", profile=LALM, versions=("1.6", "1.5"), spec=SEND_LIST_SPEC,
      requires=(no_profile(LALM),))
async def test_send_list_without_a_local_list(cs, charge_point, case_version):
    """A charge point without a local authorisation list answers SendLocalList with
    NotSupported (or does not implement the operation: a SOAP fault NotSupported). It must
    not claim to have taken a list it cannot use."""
    name = ("localAuthorizationList" if case_version is OcppVersion.V16
            else "localAuthorisationList")
    reply = await not_supported(cs, Op.SEND_LOCAL_LIST, updateType="Full", listVersion=1,
                                **{name: [entry("LL-0431-A")]})
    if reply is not None and reply.status.value != "NotSupported":
        raise CaseFailed(f"a charge point without a local list answered SendLocalList with "
                         f"{reply.status.value}; expected NotSupported")


@case(octt="TC_043_2_CS", title="Send Local Authorization List - VersionMismatch",
      sut="charge-point", profile=LALM, versions=("1.6", "1.5"), spec=SEND_LIST_SPEC,
      requires=(profile(LALM),))
async def test_differential_list_with_an_old_version(cs, charge_point, case_version):
    """A Differential update applies changes to a list of a known version, so it must carry
    a version above the charge point's current one: with the same or a lower version the
    charge point answers VersionMismatch and keeps its list (a Full update, by contrast,
    may carry any version)."""
    await enable_local_list(cs)
    await send_list_expecting(cs, "Accepted", "Full", 2, [entry("LL-0432-A")])
    await expect_list_version(cs, 2, "after a Full update to version 2")
    await send_list_expecting(cs, "Accepted", "Differential", 5, [entry("LL-0432-B")])
    await expect_list_version(cs, 5, "after a Differential update to version 5")
    await send_list_expecting(cs, "VersionMismatch", "Differential", 5, [entry("LL-0432-C")],
                              why=" (the version the list already has)")
    await send_list_expecting(cs, "VersionMismatch", "Differential", 4, [entry("LL-0432-D")],
                              why=" (below the version the list has)")
    await expect_list_version(cs, 5, "after two Differential updates answered VersionMismatch")


@case(octt="TC_043_3_CS", title="Send Local Authorization List - Failed", sut="charge-point",
      profile=LALM, versions=("1.6", "1.5"), spec=SEND_LIST_SPEC,
      requires=(profile(LALM), feature("local_list_failure")))
async def test_send_list_that_cannot_be_stored(cs, charge_point, case_version):
    """When the charge point cannot apply an update (here: the storage of its list fails),
    it answers SendLocalList with Failed, and its list stays as it was."""
    await enable_local_list(cs)
    before = await list_version(cs)
    await charge_point.local_list_failure(True)
    try:
        await send_list_expecting(cs, "Failed", "Full", 2, [entry("LL-0433-A")],
                                  why=" while the list storage fails")
        await expect_list_version(cs, before, "after the update was answered Failed "
                                              f"(it was {before} before)")
    finally:
        await charge_point.local_list_failure(False)
