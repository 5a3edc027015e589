"""The federal OZG/LeiKa reference catalogue: what a LeiKa key already tells.

The reference is the OZG-Umsetzungskatalog joined with LeiKa keys, shipped as
``catalogue/reference/ozg_umsetzungskatalog_leika.csv`` (see ``catalogue/README.md``). A newer
file loaded with ``egov reference update`` (the same CSV, the FIM portal's LeiKa export or the
federal OZG dashboard's data export, merged with what is in use) is kept in the user data
directory (or where ``EGOV_REFERENCE`` points) and used from then on. The file is read once per
process and kept in memory; looking a key up is a dict lookup.

Real data is messy and stays as it is: rows without a LeiKa key (``nicht im LeiKa``), combined
types (``1, 2/3``) and types the LeiKa code list does not know (``44``) are kept, with warnings.

The modules: ``codes`` (LeiKa types), ``entries`` (an entry, the loaded reference), ``files``
(the file formats), ``store`` (where it lives, the cache, ``update``), ``lookup`` (search, a key
explained), ``matching`` (a name matched to the reference), ``enrich`` (filling services).
"""

from egov_cli.domain.reference.codes import (
    MUNICIPAL,
    MUNICIPAL_TYPES,
    POSSIBLY_MUNICIPAL,
    POSSIBLY_MUNICIPAL_TYPES,
    describe_type,
    known_type_codes,
    scope_label,
    type_parts,
    type_scope,
    unknown_type_parts,
)
from egov_cli.domain.reference.enrich import (
    FILLED_FIELDS,
    EnrichedService,
    EnrichResult,
    enrich_services,
    fill_from_reference,
)
from egov_cli.domain.reference.entries import Reference, ReferenceEntry
from egov_cli.domain.reference.files import (
    COLUMNS,
    NO_KEY,
    REFERENCE_FILE,
    ParsedFile,
    parse_reference,
    to_csv,
)
from egov_cli.domain.reference.lookup import (
    KeyPart,
    ReferenceDetail,
    ReferenceInfo,
    explain_key,
    reference_detail,
    reference_info,
    search_reference,
)
from egov_cli.domain.reference.matching import NameMatch, Suggestion, match_name
from egov_cli.domain.reference.store import (
    REFERENCE_ENV,
    UpdateResult,
    clear_cache,
    load_reference,
    reference_updates,
    shipped_reference_path,
    update_reference,
    updated_reference_path,
)

__all__ = [
    "COLUMNS",
    "FILLED_FIELDS",
    "MUNICIPAL",
    "MUNICIPAL_TYPES",
    "NO_KEY",
    "POSSIBLY_MUNICIPAL",
    "POSSIBLY_MUNICIPAL_TYPES",
    "REFERENCE_ENV",
    "REFERENCE_FILE",
    "EnrichResult",
    "EnrichedService",
    "KeyPart",
    "NameMatch",
    "ParsedFile",
    "Reference",
    "ReferenceDetail",
    "ReferenceEntry",
    "ReferenceInfo",
    "Suggestion",
    "UpdateResult",
    "clear_cache",
    "describe_type",
    "enrich_services",
    "explain_key",
    "fill_from_reference",
    "known_type_codes",
    "load_reference",
    "match_name",
    "parse_reference",
    "reference_detail",
    "reference_info",
    "reference_updates",
    "scope_label",
    "search_reference",
    "shipped_reference_path",
    "to_csv",
    "type_parts",
    "type_scope",
    "unknown_type_parts",
    "update_reference",
    "updated_reference_path",
]
