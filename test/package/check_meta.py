#!/usr/bin/env python3
"""Check META.json against the PGXN Meta Spec 1.0.0 and the versions
elsewhere in the tree.

usage: check_meta.py ROOT

The spec's rules are written out here (required keys, SemVer versions, the
license names, the shape of provides and prereqs), not read from a schema
file.  The versions that must agree:
  META.json version == provides.artbandit.version
      == artbandit.control default_version (as SemVer: '1.2' -> '1.2.0')
      == the upstream part of debian/changelog's version ('1.2.0-1' -> '1.2.0').
Prints one line per problem and exits 1 if there is any.
"""
import json
import os
import re
import sys

SEMVER = re.compile(
    r'^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)'
    r'(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)'
    r'(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?'
    r'(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$')
# A version range: one or more comma-separated [op] SemVer, or 0.
RANGE_PART = re.compile(r'^(?:(?:[=!]=|[<>]=?)\s*)?(.+)$')
LICENSES = {
    'agpl_3', 'apache_1_1', 'apache_2_0', 'artistic_1', 'artistic_2', 'bsd',
    'freebsd', 'gfdl_1_2', 'gfdl_1_3', 'gpl_1', 'gpl_2', 'gpl_3', 'lgpl_2_1',
    'lgpl_3_0', 'mit', 'mozilla_1_0', 'mozilla_1_1', 'openssl', 'perl_5',
    'postgresql', 'qpl_1_0', 'ssleay', 'sun', 'zlib', 'open_source',
    'restricted', 'unrestricted', 'unknown'}
TOP_KEYS = {'name', 'version', 'abstract', 'maintainer', 'license', 'provides',
            'meta-spec', 'description', 'generated_by', 'tags', 'no_index',
            'prereqs', 'release_status', 'resources'}
REQUIRED = ['name', 'version', 'abstract', 'maintainer', 'license', 'provides',
            'meta-spec']
PHASES = {'configure', 'build', 'test', 'runtime', 'develop'}
RELATIONS = {'requires', 'recommends', 'suggests', 'conflicts'}
EXT_KEYS = {'file', 'version', 'abstract', 'docfile'}

problems = []


def bad(msg):
    problems.append(msg)


def custom(key):
    return re.match(r'^[xX]_.', key) is not None


def nonempty_str(v):
    return isinstance(v, str) and len(v) > 0


def is_term(v):
    return isinstance(v, str) and re.match(r'^[^/\\\s\x00-\x1f\x7f]{2,}$', v)


def is_range(v):
    if v == 0 or v == '0':
        return True
    if not isinstance(v, str):
        return False
    for part in v.split(','):
        m = RANGE_PART.match(part.strip())
        if not m or not SEMVER.match(m.group(1)):
            return False
    return True


def check_spec(meta, root):
    for key in REQUIRED:
        if key not in meta:
            bad('META.json: missing required key %r' % key)
    for key in meta:
        if key not in TOP_KEYS and not custom(key):
            bad('META.json: unknown key %r' % key)
    if not is_term(meta.get('name')):
        bad('META.json: name must be a term (2+ characters, no slash, space)')
    if not (isinstance(meta.get('version'), str) and SEMVER.match(meta['version'])):
        bad('META.json: version %r is not SemVer' % meta.get('version'))
    for key in ('abstract', 'description', 'generated_by'):
        if key in meta and not nonempty_str(meta[key]):
            bad('META.json: %s must be a non-empty string' % key)
    m = meta.get('maintainer')
    if not (nonempty_str(m) or (isinstance(m, list) and m and all(map(nonempty_str, m)))):
        bad('META.json: maintainer must be a string or a list of strings')
    lic = meta.get('license')
    if not (lic in LICENSES if isinstance(lic, str) else
            isinstance(lic, list) and lic and all(x in LICENSES for x in lic) or
            isinstance(lic, dict) and lic):
        bad('META.json: license %r is not one the spec names' % (lic,))
    spec = meta.get('meta-spec')
    if not (isinstance(spec, dict) and re.match(r'^1\.0\.\d+$', str(spec.get('version')))):
        bad('META.json: meta-spec.version must be 1.0.x')
    elif spec.get('url') not in (None, 'https://pgxn.org/meta/spec.txt',
                                 'http://pgxn.org/meta/spec.txt'):
        bad('META.json: meta-spec.url is not the spec\'s')
    provides = meta.get('provides')
    if not (isinstance(provides, dict) and provides):
        bad('META.json: provides must name at least one extension')
        provides = {}
    for ext, info in provides.items():
        if not is_term(ext) or not isinstance(info, dict):
            bad('META.json: provides.%s is malformed' % ext)
            continue
        for key in info:
            if key not in EXT_KEYS and not custom(key):
                bad('META.json: provides.%s has unknown key %r' % (ext, key))
        if not (isinstance(info.get('version'), str) and SEMVER.match(info['version'])):
            bad('META.json: provides.%s.version is not SemVer' % ext)
        for key in ('file', 'docfile'):
            path = info.get(key)
            if key == 'file' and path is None:
                bad('META.json: provides.%s has no file' % ext)
            elif path is not None and not os.path.isfile(os.path.join(root, path)):
                bad('META.json: provides.%s.%s %r is not a file of the distribution'
                    % (ext, key, path))
    prereqs = meta.get('prereqs', {})
    if not isinstance(prereqs, dict):
        bad('META.json: prereqs must be an object')
        prereqs = {}
    for phase, rels in prereqs.items():
        if phase not in PHASES and not custom(phase):
            bad('META.json: prereqs has unknown phase %r' % phase)
            continue
        for rel, reqs in (rels.items() if isinstance(rels, dict) else []):
            if rel not in RELATIONS and not custom(rel):
                bad('META.json: prereqs.%s has unknown relationship %r' % (phase, rel))
                continue
            for name, rng in reqs.items():
                if not is_range(rng):
                    bad('META.json: prereqs.%s.%s.%s: %r is not a version range'
                        % (phase, rel, name, rng))
    if meta.get('release_status', 'stable') not in ('stable', 'testing', 'unstable'):
        bad('META.json: release_status must be stable, testing or unstable')
    tags = meta.get('tags', ['ok'])
    if not (isinstance(tags, list) and tags and
            all(isinstance(t, str) and 2 <= len(t) <= 255 and '/' not in t
                and '\\' not in t for t in tags)):
        bad('META.json: tags must be a list of 2-255 character strings')


def control_version(root):
    with open(os.path.join(root, 'artbandit.control')) as f:
        m = re.search(r"^default_version\s*=\s*'([^']+)'", f.read(), re.M)
    return m.group(1) if m else None


def changelog_version(root):
    with open(os.path.join(root, 'debian', 'changelog')) as f:
        m = re.match(r'^(\S+) \(([^)]+)\)', f.readline())
    return (m.group(1), m.group(2)) if m else (None, None)


def main():
    root = sys.argv[1]
    try:
        with open(os.path.join(root, 'META.json')) as f:
            meta = json.load(f)
    except (OSError, ValueError) as e:
        print('META.json: cannot be read as JSON: %s' % e)
        return 1
    if not isinstance(meta, dict):
        print('META.json: not a JSON object')
        return 1
    check_spec(meta, root)

    version = meta.get('version')
    ext = meta.get('provides', {}).get('artbandit', {})
    if meta.get('name') != 'artbandit' or not ext:
        bad('META.json: name and provides must be artbandit')
    if ext.get('version') != version:
        bad('META.json: provides.artbandit.version %r != version %r'
            % (ext.get('version'), version))
    cv = control_version(root)
    semver_cv = cv + '.0' if cv and cv.count('.') == 1 else cv
    if semver_cv != version:
        bad('artbandit.control default_version %r does not match META.json version %r'
            % (cv, version))
    src, dv = changelog_version(root)
    if src != 'artbandit':
        bad('debian/changelog: source package is %r, not artbandit' % src)
    upstream = dv.rsplit('-', 1)[0] if dv else None
    if upstream != version:
        bad('debian/changelog version %r: upstream part %r does not match META.json %r'
            % (dv, upstream, version))
    for p in problems:
        print(p)
    if not problems:
        print('META.json: PGXN Meta Spec %s, artbandit %s = control %s = debian %s'
              % (meta['meta-spec']['version'], version, cv, dv))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
