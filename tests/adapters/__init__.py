"""Example vendor adapters for ``--sut-adapter``, used by the tests."""
