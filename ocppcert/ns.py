"""Every namespace URI ocppcert speaks, written once."""

from __future__ import annotations

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
WSA_ANONYMOUS = "http://www.w3.org/2005/08/addressing/anonymous"
WSA_NONE = "http://www.w3.org/2005/08/addressing/none"
WSA_FAULT_ACTION = "http://www.w3.org/2005/08/addressing/soap/fault"
XML = "http://www.w3.org/XML/1998/namespace"
XSD = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"

CS_2010_08 = "urn://Ocpp/Cs/2010/08/"
CP_2010_08 = "urn://Ocpp/Cp/2010/08/"
CS_2012_06 = "urn://Ocpp/Cs/2012/06/"
CP_2012_06 = "urn://Ocpp/Cp/2012/06/"
CS_2015_10 = "urn://Ocpp/Cs/2015/10/"
CP_2015_10 = "urn://Ocpp/Cp/2015/10/"

SOAP12_CONTENT_TYPE = "application/soap+xml"
