from ranking import timed_cache
from ranking.timed_cache import TimedCache


class Loader:
    """Doubles each key it is asked for, except the ones that "do not exist"; records each call."""

    def __init__(self, absent=()):
        self.calls = []
        self.absent = set(absent)

    def __call__(self, keys):
        self.calls.append(sorted(keys))
        return {k: 2 * k for k in keys if k not in self.absent}


def test_cached_values_are_not_read_again_and_misses_are_read_in_one_call():
    cache, load = TimedCache(seconds=60, max_size=100), Loader()

    first = cache.get_many([1, 2], load)
    second = cache.get_many([2, 3, 4], load)

    assert (first, second) == ({1: 2, 2: 4}, {2: 4, 3: 6, 4: 8})
    assert load.calls == [[1, 2], [3, 4]]


def test_a_value_older_than_its_time_is_read_again(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(timed_cache.time, "monotonic", lambda: clock[0])
    cache, load = TimedCache(seconds=30, max_size=100), Loader()
    cache.get_many([1], load)

    clock[0] += 29
    cache.get_many([1], load)
    clock[0] += 2
    cache.get_many([1], load)

    assert load.calls == [[1], [1]]


def test_a_key_the_loader_does_not_answer_is_left_out_and_asked_again():
    cache, load = TimedCache(seconds=60, max_size=100), Loader(absent={7})

    assert cache.get_many([6, 7], load) == {6: 12}
    assert cache.get_many([6, 7], load) == {6: 12}
    assert load.calls == [[6, 7], [7]]


def test_forgotten_keys_and_a_full_cache_go_back_to_the_loader():
    cache, load = TimedCache(seconds=60, max_size=3), Loader()
    cache.get_many([1, 2, 3], load)

    cache.forget([1])
    cache.get_many([1, 2], load)  # 1 again; 2 still cached
    cache.get_many([4], load)  # over the bound: everything goes, 4 kept
    cache.get_many([2, 4], load)

    assert load.calls == [[1, 2, 3], [1], [4], [2]]
