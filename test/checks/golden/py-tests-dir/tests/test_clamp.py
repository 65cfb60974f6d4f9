import input

def test_low():
    assert input.clamp(-5, 0, 10) == 0

def test_high():
    assert input.clamp(50, 0, 10) == 10
