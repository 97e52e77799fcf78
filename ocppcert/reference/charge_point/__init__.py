"""The reference charge point: station behaviour, local authorisation, smart charging."""
