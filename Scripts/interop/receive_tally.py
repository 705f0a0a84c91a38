"""What the interop clients (proton_client.py, pyamqp_client.py) check on the receiving side.

Messages of one run carry an index 0..N-1; the tally requires each exactly once, counts
duplicates and reordering (reordering is reported, not a failure), and keeps the first few
content errors the client notes.
"""


class ReceiveTally:
    def __init__(self, n):
        self.n = n
        self.received = 0
        self.seen = set()
        self.duplicates = 0
        self.out_of_order = 0
        self.last_index = -1
        self.bad = []          # the first few content errors
        self.bad_count = 0

    def note_bad(self, text):
        self.bad_count += 1
        if len(self.bad) < 5:
            self.bad.append(text)

    def count(self, idx):
        """A message with index `idx` arrived (its content already checked)."""
        if idx < 0 or idx >= self.n:
            self.note_bad("index %d out of range" % idx)
        elif idx in self.seen:
            self.duplicates += 1
        else:
            self.seen.add(idx)
        if idx < self.last_index:
            self.out_of_order += 1
        self.last_index = idx
        self.received += 1

    @property
    def complete(self):
        return len(self.seen) >= self.n

    def problems(self, received_checked=True):
        """What went wrong: missing indexes and duplicates (when the run received), content errors."""
        problems = []
        if received_checked:
            missing = self.n - len(self.seen)
            if missing:
                problems.append("missing %d indexes" % missing)
            if self.duplicates:
                problems.append("%d duplicates" % self.duplicates)
        if self.bad_count:
            problems.append("%d content errors: %s" % (self.bad_count, "; ".join(self.bad)))
        return problems

    def fields(self):
        """The receive-side fields of a client's JSON result."""
        return {
            "received": self.received,
            "unique": len(self.seen),
            "duplicates": self.duplicates,
            "in_order": self.out_of_order == 0,
            "out_of_order": self.out_of_order,
        }
