#!/usr/bin/python3
"""SPDX 2.3 JSON SBOM of the cxpulse image (tools/image.sh): the cxpulse package itself and every
Debian package of the runtime root file system, from the package list the image build installed
(packages.tsv: name, version, architecture, source package, sha256 of the .deb)."""
import argparse
import json
import sys
import urllib.parse
import uuid


def spdx_id(text):
    return "SPDXRef-" + "".join(c if c.isalnum() or c in ".-" else "-" for c in text)


def main():
    parser = argparse.ArgumentParser()
    for name in ("packages", "image", "image-id", "version", "revision", "created", "source"):
        parser.add_argument("--" + name, required=True)
    args = parser.parse_args()

    image_ref = spdx_id("image-cxpulse")
    packages = [{
        "SPDXID": image_ref, "name": "cxpulse", "versionInfo": args.version,
        "primaryPackagePurpose": "CONTAINER", "downloadLocation": "NOASSERTION",
        "filesAnalyzed": False, "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION",
        "copyrightText": "NOASSERTION",
        "sourceInfo": f"built by tools/image.sh from {args.source} at {args.revision}",
        "checksums": [{"algorithm": "SHA256", "checksumValue": args.image_id.removeprefix("sha256:")}],
        "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                          "referenceLocator": "pkg:oci/cxpulse@sha256%3A"
                          + args.image_id.removeprefix("sha256:")
                          + "?tag=" + urllib.parse.quote(args.image.rsplit(":", 1)[-1])}],
    }]
    relationships = [{"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES",
                      "relatedSpdxElement": image_ref}]
    with open(args.packages, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f if line.strip()]
    for name, version, arch, source, sha256 in rows:
        ref = spdx_id(f"deb-{name}-{arch}")
        purl = (f"pkg:deb/debian/{name}@{urllib.parse.quote(version, safe='')}"
                f"?arch={arch}&distro=debian-12")
        if source != name:
            purl += f"&upstream={urllib.parse.quote(source)}"
        packages.append({
            "SPDXID": ref, "name": name, "versionInfo": version, "supplier": "Organization: Debian",
            "downloadLocation": "NOASSERTION", "filesAnalyzed": False,
            "licenseConcluded": "NOASSERTION", "licenseDeclared": "NOASSERTION",
            "copyrightText": "NOASSERTION",
            "sourceInfo": f"Debian source package {source}; copyright in /usr/share/doc/{name}/copyright",
            "checksums": [{"algorithm": "SHA256", "checksumValue": sha256}],
            "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
                              "referenceLocator": purl}],
        })
        relationships.append({"spdxElementId": image_ref, "relationshipType": "CONTAINS",
                              "relatedSpdxElement": ref})
    document = {
        "spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
        "name": f"cxpulse-image-{args.version}",
        "documentNamespace": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, args.image_id)}",
        "creationInfo": {"created": args.created, "creators": ["Tool: cxpulse tools/image.sh"]},
        "packages": packages, "relationships": relationships,
    }
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
