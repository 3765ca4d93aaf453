"""portal.lib.throttle.mask_ip: what a student may see of an address that opened her
report — the network, never the host."""

import pytest

from portal.lib.throttle import mask_ip


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("203.0.113.77", "203.0.113.*"),
        ("2001:db8:85a3::8a2e:370:7334", "2001:db8:85a3:*"),
        ("2001:0db8:0000:0000::1", "2001:db8:0:*"),
        ("::ffff:198.51.100.4", "198.51.100.*"),
        ("", ""),
        (None, ""),
        ("not an address", ""),
    ],
)
def test_only_the_network_is_shown(address, shown):
    assert mask_ip(address) == shown
