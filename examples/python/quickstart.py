#!/usr/bin/env python3
"""Wegwijzer from Python in five lines (the rest is printing).

Run from a build tree:
    PYTHONPATH=build/release/python /usr/bin/python3 examples/python/quickstart.py
or after `pip install ./bindings/python`:
    python3 examples/python/quickstart.py
"""
import pathlib

import numpy as np

import wegwijzer

data = pathlib.Path(__file__).resolve().parents[2] / "data"  # the demo scenario (Zwolle)

# 1. Load the directory of providers (the contract's providers.csv).
directory = wegwijzer.Directory.from_csv(data / "providers.csv")
# 2. One resident near the centre needs help with DigiD, in Dutch or Arabic.
referrals = directory.route(52.5125, 6.0940, topics=["digid"], languages=["nl", "ar"], k=3)
# 3. Many residents at once: NumPy columns in, (n, k) NumPy arrays out, on every core.
table = directory.route_many(np.array([52.51, 52.53]), np.array([6.09, 6.10]), topics="basics")
# 4. A whole waiting list, matched within every provider's capacity.
plan = directory.match(wegwijzer.RequestBatch.from_csv(data / "requests.csv"))

print(referrals)
for referral in referrals:
    print(f"  {referral.rank}. {referral.provider_id}: {'; '.join(referral.reasons)}")
print(table, table.provider_ids(), sep="\n")
print(plan)
for line in plan[:5]:
    print(" ", line)
