def compare(game, guess):
    """How far off each guess was.
    example:
    compare([1,2,3,4,5,1],[1,2,3,4,2,-2]) -> [0,0,0,0,3,3]
    compare([1,2],[1,2]) -> [0,0]
    fruit: compare([5],[1]) -> 5 - 1 = 4 -> [4]
    """
    return [abs(a - b) for a, b in zip(game, guess)]
