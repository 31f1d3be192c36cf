#!/usr/bin/env python3
"""Turns one call of termijnd, as PostgreSQL logged it (log_statement = all), into a pgbench
script that runs the same statements: parameters inlined as literals, the ids a write made
carried with \\gset, the incident read chosen at random (pgbench -D incidents=N).

    from_log.py POSTGRES_LOG RPC      RPC: ReportIncident, LogRequest, GetIncident, ListObligations

scripts/bench throughput makes one call of each RPC with logging on and captures them this way
at the start of every run, so pgbench always runs the statements termijnd runs now."""
import re, sys

# The statement that identifies the call in the log; writes are the transaction around it.
MARKERS = {
    'ReportIncident': 'insert_incident',
    'LogRequest': 'insert_request',
    'GetIncident': 'incident_record',
    'ListObligations': 'list_obligations',
}


def params(detail):
    out = {}
    for m in re.finditer(r"\$(\d+) = (NULL|'((?:[^']|'')*)')", detail):
        out[int(m.group(1))] = None if m.group(2) == 'NULL' else m.group(3)
    return out


def statements(lines):
    """(name, sql, params) of each logged statement, in order: BEGIN and COMMIT by name."""
    out = []
    for i, l in enumerate(lines):
        body = l.split('LOG:  ', 1)[1] if 'LOG:  ' in l else None
        if body in ('statement: BEGIN', 'statement: COMMIT'):
            out.append((body[len('statement: '):],) * 2 + ({},))
        elif body and body.startswith('execute '):
            name, sql = body[len('execute '):].split(': ', 1)
            p = {}
            if i + 1 < len(lines) and 'DETAIL:  parameters:' in lines[i + 1]:
                p = params(lines[i + 1].split('DETAIL:  parameters: ', 1)[1])
            out.append((name, sql, p))
    return out


def the_call(path, rpc):
    """The statements of the first logged call of `rpc`: its backend's transaction around the
    marker statement, or the marker alone for a read."""
    marker = MARKERS[rpc]
    lines = [l.rstrip('\n') for l in open(path)]
    pid = next((m.group(1) for l in lines if f'execute {marker}: ' in l
                for m in [re.search(r'\[(\d+)\]', l)] if m), None)
    if pid is None:
        sys.exit(f'from_log.py: no "execute {marker}" in {path}: was log_statement = all?')
    stmts = statements([l for l in lines if f'[{pid}]' in l])
    at = next(i for i, s in enumerate(stmts) if s[0] == marker)
    if rpc in ('GetIncident', 'ListObligations'):
        return [stmts[at]]
    begin = max(i for i in range(at) if stmts[i][0] == 'BEGIN')
    end = next(i for i in range(at, len(stmts)) if stmts[i][0] == 'COMMIT')
    return stmts[begin:end + 1]


def script(stmts):
    # The ids the call made, as pgbench variables: the record's (:rec_id) and its obligations'
    # (:o1_id, ... by rank: they are made by one statement, in order; were one that no statement
    # names made before one that is named, the ranks would shift, and the script would still name
    # obligations of the same call). Kept apart, because in a fresh database the record and its
    # first obligation both have id 1.
    record = {}
    obligations = set()
    for name, sql, p in stmts:
        if name == 'finish_create':  # "incidents/4": the record's id
            record[p[3]] = ':rec_id'
            record[p[3].split('/')[1]] = ':rec_id'
        if name == 'append_steps_and_audit':
            obligations.update(int(x) for x in p[1][1:-1].split(','))
        if name == 'insert_notification' and p[1] not in (None, '0'):
            obligations.add(int(p[1]))
    rank = {str(o): f':o{i}_id' for i, o in enumerate(sorted(obligations), 1)}
    def array(v, names):
        return 'ARRAY[' + ', '.join(names.get(x, x) for x in v[1:-1].split(',')) + ']'
    out = ['\\set r random(1, 9000000000000000)']
    for name, sql, p in stmts:
        if name in ('BEGIN', 'COMMIT'): out.append(sql + ';'); continue
        def literal(n):
            v = p[n]
            if v is None: return 'NULL'
            if name in ('claim_create', 'finish_create') and n == 2: return "'pgbench-' || :r"
            if name == 'finish_create' and n == 3 and v in record:
                return f"'{v.split('/')[0]}/' || {record[v]}"
            if name == 'insert_obligations' and n <= 2: return array(v, record)
            if name == 'insert_notification' and n == 1 and v in rank: return rank[v]
            if name == 'append_steps_and_audit' and n == 1: return array(v, rank)
            if name == 'incident_record' and n == 1: return ':id'
            return "'" + v.replace("'", "''") + "'"
        text = re.sub(r'\$(\d+)', lambda m: literal(int(m.group(1))), sql)
        gset = ''
        if name in ('insert_incident', 'insert_request'):
            gset = ' \\gset rec_'
        elif name == 'insert_obligations':  # their ids in the order made, as o1_id, o2_id, ...
            made = len(p[3][1:-1].split(','))
            text = ('WITH made AS (' + text + ') SELECT ' + ', '.join(
                f'(array_agg(id ORDER BY id))[{i}] AS o{i}_id' for i in range(1, made + 1)) +
                ' FROM made')
            gset = ' \\gset'
        if name == 'incident_record':
            out.append('\\set id random(1, :incidents)')
        out.append('-- ' + name)
        out.append(text + gset + (';' if not gset else ''))
    return '\n'.join(out)


if __name__ == '__main__':
    if len(sys.argv) != 3 or sys.argv[2] not in MARKERS:
        sys.exit('usage: from_log.py POSTGRES_LOG ' + '|'.join(MARKERS))
    print(script(the_call(sys.argv[1], sys.argv[2])))
