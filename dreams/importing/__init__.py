"""Reading files into dreams, idempotently and all or nothing.

seeds.py reads the seed narratives. For a journal's own files: plan.py is what an import will
do whatever the file (ImportPlan, IncomingDream, the checks every dream passes), read by one
module per format (somnia_json.py, markdown_zip.py, tables.py) chosen in files.py; saving.py
previews a plan and writes it in batches; uploads.py keeps a web upload between its preview
and its go-ahead and takes back an import that failed or was killed.
"""

# The seed importer's names, as `dreams.importing` has always offered them.
from dreams.importing.seeds import (  # noqa: F401
    SEED_OWNER,
    SEED_SOURCE,
    BadDreamFile,
    ImportResult,
    import_seed_files,
    read_seed_file,
    seed_files,
    seed_owner,
)
