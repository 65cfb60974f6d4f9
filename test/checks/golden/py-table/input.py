def fizz(n):
    """FizzBuzz word for n.

    | n  | output  |
    |----|---------|
    | 3  | 'Fizz'  |
    | 10 | 'Buzz'  |
    | 15 | 'FizzBuzz' |
    | 7  | '7'     |
    """
    return 'FizzBuzz' if n % 15 == 0 else 'Fizz' if n % 3 == 0 else 'Buzz' if n % 5 == 0 else str(n)
