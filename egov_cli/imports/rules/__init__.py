"""The import's rules, one kind per module; :class:`egov_cli.imports.plan.Planner` runs them.

- ``shared``: the plan being built, the planner's state and how a problem is noted;
- ``rows``: rows skipped (totals, repeats), values twice in a file, rows matched to services;
- ``reference``: keys found by name, fields filled from the federal reference catalogue;
- ``departments``: departments by code or name, new ones and their codes, near duplicates;
- ``procedures``: online procedures by name and their details.
"""
