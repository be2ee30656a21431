"""Developer tool: copy the files each source declares from ../shared/data/raw into data/raw and write the manifest.

Run once when a source is added; the app and tests never read ../shared.
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import settings
from data_sources import all_modules, manifest
from data_sources.http import sha256_of

SHARED_RETRIEVED = "2026-11-27"  # the shared snapshot's PROVENANCE files give this access date
# Here every source is held in data/raw/<source id>; the shared snapshot names most folders its own way. A source
# not listed has a shared folder named by its id.
SHARED_FOLDERS = {
    "census2021_ltla": "census2021_ltla_country_of_birth",
    "census2021_quiz": "census2021_lad21_ons_census_quiz",
    "community_needs_index": "community_needs_index_2019",
    "crime_severity": "ons_crime_severity_score",
    "eu_referendum": "eu_referendum_2016",
    "general_elections": "general_election_results_hoc",
    "health_index": "ons_health_index_england",
    "imd2019": "imd2019_england",
    "imd_history": "imd_history_england",
    "iod2025": "iod2025_england",
    "local_elections": "local_elections_hoc_ward_results",
    "oa21_lookup": "ons_oa21_lookup",
    "ons_els": "ons_explore_local_statistics",
    "ons_lookups": "ons_geography_lookups",
    "ons_similar_areas": "ons_els_similar_areas",
    "ons_subnational": "ons_subnational_indicators",
    "pcon24_lookup": "ons_pcon24_lookup",
    "population_estimates": "ons_population_estimates_lad",
    "recorded_crime": "ons_recorded_crime_csp",
    "smc_social_mobility": "smc_social_mobility_by_area",
    "wimd2019": "wimd",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=settings.PROJECT_ROOT.parent / "shared" / "data" / "raw")
    args = parser.parse_args()
    data_dir = settings.data_dir()
    entries = []
    for module in all_modules():
        source = module.SOURCE
        src_folder = args.shared / SHARED_FOLDERS.get(source.id, source.id)
        dst_folder = data_dir / "raw" / source.raw_folder
        dst_folder.mkdir(parents=True, exist_ok=True)
        if not (dst_folder / "PROVENANCE.md").exists():  # local copies may carry notes appended here
            shutil.copy2(src_folder / "PROVENANCE.md", dst_folder / "PROVENANCE.md")
        for extra in getattr(module, "EXTRA_DOCS", ()):
            shutil.copy2(src_folder / extra, dst_folder / extra)
        for raw in source.files:
            if not raw.held:
                continue
            target = dst_folder / raw.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if (src_folder / raw.name).exists():
                shutil.copy2(src_folder / raw.name, target)
            elif not target.exists():
                raise FileNotFoundError(f"{source.id}: {raw.name} is neither in the shared snapshot nor in data/raw")
            entries.append(
                manifest.ManifestEntry(
                    path=target.relative_to(data_dir).as_posix(),
                    source_id=source.id,
                    url=raw.url or f"derived (see PROVENANCE.md): {raw.description}",
                    retrieved=SHARED_RETRIEVED,
                    published=source.published,
                    sha256=sha256_of(target),
                    bytes=target.stat().st_size,
                    licence=source.licence,
                    provenance=(dst_folder / "PROVENANCE.md").relative_to(data_dir).as_posix(),
                )
            )
    manifest.save(settings.manifest_path(), entries)
    total = sum(e.bytes for e in entries)
    print(f"{len(entries)} files, {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
