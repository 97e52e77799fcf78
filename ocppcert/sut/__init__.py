"""Driving the SUT's physical side: present an idTag, plug in, power-cycle, ...

A case never touches the SUT except through the protocol and through a driver here:
``ReferenceChargePointSut`` (the bundled station, in process), ``ManualChargePointSut``
(an operator at a terminal, bounded waits), or a vendor's adapter named with
``--sut-adapter module:factory``.
"""

from ocppcert.sut.base import ChargePointSut, FirmwareImage, load_adapter
from ocppcert.sut.central_system import (
    CentralSystemSut,
    ManualCentralSystemSut,
    ReferenceCentralSystemSut,
)
from ocppcert.sut.manual import ManualChargePointSut
from ocppcert.sut.reference import ReferenceChargePointSut

__all__ = ["CentralSystemSut", "ChargePointSut", "FirmwareImage", "ManualCentralSystemSut",
           "ManualChargePointSut", "ReferenceCentralSystemSut", "ReferenceChargePointSut",
           "load_adapter"]
