#!/usr/bin/env python3
"""Static checks of dispatcher/Dockerfile and operator/Dockerfile (no image is built here).

Each must: build from the repository root in an sdk:10.0 stage and run on aspnet:10.0; copy
every project the entry project references (a new ProjectReference that the Dockerfile misses
would only fail in CI's image build); run as a non-root user with no RUN in the final stage; set
ASPNETCORE_URLS to the port the manifests probe; start the right assembly in exec form; and have
a Dockerfile.dockerignore that keeps host bin/ and obj/ out of the context.
"""
import json
import pathlib
import re
import shlex
import sys
import xml.etree.ElementTree as ElementTree

REPO = pathlib.Path(__file__).resolve().parents[2]
IMAGES = {
    "dispatcher/Dockerfile": {"project": "dispatcher/Webhooks.Dispatcher/Webhooks.Dispatcher.csproj", "port": 8080},
    "operator/Dockerfile": {"project": "operator/Webhooks.Operator/Webhooks.Operator.csproj", "port": 8081},
}
BUILD_FILES = {"global.json", "Directory.Build.props", "Directory.Packages.props"}


def instructions(path):
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    logical, current = [], ""
    for line in path.read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        logical.append(current + line)
        current = ""
    return [(text.split(None, 1)[0].upper(), text.split(None, 1)[1].strip() if len(text.split(None, 1)) > 1 else "")
            for text in logical]


def project_closure(project):
    """The project and every project it references, transitively, as repository-relative paths."""
    seen, pending = set(), [REPO / project]
    while pending:
        current = pending.pop().resolve()
        if current in seen:
            continue
        seen.add(current)
        for reference in ElementTree.parse(current).getroot().iter("ProjectReference"):
            pending.append(current.parent / reference.get("Include").replace("\\", "/"))
    return {p.relative_to(REPO).as_posix() for p in seen}


def assembly_name(project):
    name = ElementTree.parse(REPO / project).getroot().findtext(".//AssemblyName")
    return name or pathlib.PurePosixPath(project).stem


def check(dockerfile, expected):
    failures = []
    steps = instructions(REPO / dockerfile)
    stages = [i for i, (op, _) in enumerate(steps) if op == "FROM"]
    images = [re.sub(r"^--platform=\S+\s+", "", steps[i][1]).split()[0] for i in stages]
    if len(stages) != 2 or not images[0].endswith("/dotnet/sdk:10.0") or not images[1].endswith("/dotnet/aspnet:10.0"):
        failures.append(f"stages {images}: expected sdk:10.0 then aspnet:10.0")
        return failures
    build, final = steps[stages[0]:stages[1]], steps[stages[1]:]

    copied = set()
    for op, args in build:
        if op == "COPY" and "--from" not in args:
            sources = [s for s in shlex.split(args) if not s.startswith("--")][:-1]
            for source in sources:
                if not (REPO / source).exists():
                    failures.append(f"COPY {source}: no such path in the repository")
                copied.add(source.rstrip("/"))
    for missing in sorted(BUILD_FILES - copied):
        failures.append(f"{missing} is not copied; the build reads it")
    for project in sorted(project_closure(expected["project"])):
        directory = str(pathlib.PurePosixPath(project).parent)
        if project not in copied and directory not in copied:
            failures.append(f"{project} is referenced but its project file is not copied for restore")
        if directory not in copied:
            failures.append(f"{directory}/ is referenced but not copied")

    users = [args for op, args in final if op == "USER"]
    if not users or users[-1].split(":")[0] in ("0", "root"):
        failures.append("the final stage does not switch to a non-root USER")
    if any(op == "RUN" for op, _ in final):
        failures.append("the final stage runs commands; the runtime image needs no shell")
    environment = " ".join(args for op, args in final if op == "ENV")
    if f"ASPNETCORE_URLS=http://+:{expected['port']}" not in environment:
        failures.append(f"ASPNETCORE_URLS must be http://+:{expected['port']} (the port the probes use)")
    if not any(op == "EXPOSE" and args.split()[0].split("/")[0] == str(expected["port"]) for op, args in final):
        failures.append(f"EXPOSE {expected['port']} is missing")
    entrypoints = [args for op, args in final if op == "ENTRYPOINT"]
    wanted = ["dotnet", f"{assembly_name(expected['project'])}.dll"]
    try:
        entrypoint = json.loads(entrypoints[-1]) if entrypoints else None
    except json.JSONDecodeError:
        entrypoint = None
    if entrypoint != wanted:
        failures.append(f"ENTRYPOINT must be the exec form {json.dumps(wanted)}")

    ignore = REPO / f"{dockerfile}.dockerignore"
    patterns = ignore.read_text().split() if ignore.exists() else []
    for pattern in ("**/bin/", "**/obj/"):
        if pattern not in patterns:
            failures.append(f"{ignore.name} must exclude {pattern}: host build output breaks the restore")
    return failures


def main():
    failures = [f"{dockerfile}: {failure}" for dockerfile, expected in IMAGES.items()
                for failure in check(dockerfile, expected)]
    for failure in failures:
        print(f"  {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
