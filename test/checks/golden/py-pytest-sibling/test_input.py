import pytest
from input import parse_version

EXPECTED = (1, 2, 3)

def helper():
    return "1.2.3"

def test_parse():
    assert parse_version(helper()) == EXPECTED

def test_bad():
    with pytest.raises(ValueError):
        parse_version("1.x")

def test_approx():
    assert sum(parse_version("1.5")) == pytest.approx(6.0)

def test_unrelated():
    assert 1 + 1 == 2
