def gcd(a, b):
    while b:
        a, b = b, a % b
    return a

assert gcd(12, 18) == 6
assert gcd(7, 3) == 1, "coprime"
assert abs(gcd(10, 4) - 2) < 1e-9


if __name__ == "__main__":
    assert gcd(0, 5) == 5
