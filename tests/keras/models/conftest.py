"""Every test starts a fresh session: automatic names restart at `dense`, `sequential`, ..."""
import pytest

from fluxion.keras import backend


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch):
    backend.clear_session()
    monkeypatch.setenv("COLUMNS", "80")  # not a terminal: Keras then lays tables out 76 wide
