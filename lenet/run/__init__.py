"""Running claims: a check table on its subject, its outcome, the result rows, seeds, shards and calibration.

``dispatch`` (one check table of a claim, run on its subject), ``outcome``
(verdict + expect -> pass/fail/xfail), ``rows`` (one result row per item,
Holm, the JSON document), ``text`` (terminal tables and failure texts),
``provenance`` (versions, checksums, git), ``seeds`` (claims across training
seeds), ``merge`` (sharded runs joined) and ``calibration`` (the checks' error
rates on nulls and planted units). Import the modules; nothing is re-exported.
"""
