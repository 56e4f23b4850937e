"""The header's freshness: steady while the server answers every couple of seconds,
counting once it goes quiet."""

from axom_tui.view import format as fmt


def test_freshness_is_steady_between_polls_and_counts_when_stale():
    assert fmt.ago(None) == "never"
    assert fmt.ago(float("nan")) == "never"
    for seconds in (0.0, 1.0, 2.0, 2.9):  # a focused run is polled every 2 s
        assert fmt.ago(seconds) == "just now"
    assert fmt.ago(3.0) == "3s ago"
    assert fmt.ago(75) == "1m15s ago"
