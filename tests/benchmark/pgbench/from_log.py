#!/usr/bin/env python3
"""Turns one transaction of termijnd, as PostgreSQL logged it (log_statement = all), into a
pgbench script: parameters inlined as literals, the ids the transaction made carried with \\gset."""
import re, sys

def params(detail):
    out = {}
    for m in re.finditer(r"\$(\d+) = (NULL|'((?:[^']|'')*)')", detail):
        out[int(m.group(1))] = None if m.group(2) == 'NULL' else m.group(3)
    return out

def main(path, pid):
    lines = [l.rstrip('\n') for l in open(path) if f'[{pid}]' in l]
    stmts = []  # (name, sql, params)
    inside = False
    for i, l in enumerate(lines):
        body = l.split('LOG:  ', 1)[1] if 'LOG:  ' in l else None
        if body == 'statement: BEGIN': inside = True; stmts.append(('BEGIN', 'BEGIN', {})); continue
        if not inside: continue
        if body == 'statement: COMMIT': stmts.append(('COMMIT', 'COMMIT', {})); break
        if body and body.startswith('execute '):
            name, sql = body[len('execute '):].split(': ', 1)
            p = {}
            if i + 1 < len(lines) and 'DETAIL:  parameters:' in lines[i + 1]:
                p = params(lines[i + 1].split('DETAIL:  parameters: ', 1)[1])
            stmts.append((name, sql, p))
    ids = {}  # literal id -> pgbench variable
    for name, sql, p in stmts:
        if name == 'finish_create':  # "incidents/4": the record's id
            ids[p[3]] = ':rec_id'
            ids[p[3].split('/')[1]] = ':rec_id'
        if name == 'append_steps_and_audit':  # the obligations' ids, in the order made
            for x in p[1][1:-1].split(','):
                if x not in ids: ids[x] = f':o{sum(v.startswith(":o") for v in ids.values()) + 1}_id'
    out = ['\\set r random(1, 9000000000000000)']
    obligation = 0
    for name, sql, p in stmts:
        if name in ('BEGIN', 'COMMIT'): out.append(sql + ';'); continue
        def literal(n):
            v = p[n]
            if v is None: return 'NULL'
            if name in ('claim_create', 'finish_create') and n == 2: return "'pgbench-' || :r"
            if name == 'finish_create' and n == 3 and v in ids: return f"'{v.split('/')[0]}/' || {ids[v]}"
            if v in ids and name in ('insert_obligation', 'insert_notification') and n <= 2: return ids[v]
            if v.startswith('{') and name == 'append_steps_and_audit' and n == 1:
                return 'ARRAY[' + ', '.join(ids[x] for x in v[1:-1].split(',')) + ']'
            return "'" + v.replace("'", "''") + "'"
        text = re.sub(r'\$(\d+)', lambda m: literal(int(m.group(1))), sql)
        gset = ''
        if name in ('insert_incident', 'insert_request'):
            gset = ' \\gset rec_'; var = ':rec_id'
        elif name == 'insert_obligation':
            obligation += 1; gset = f' \\gset o{obligation}_'; var = f':o{obligation}_id'
        out.append('-- ' + name)
        out.append(text + gset + (';' if not gset else ''))
    print('\n'.join(out))

if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: from_log.py POSTGRES_LOG BACKEND_PID   (the backend that ran the call)')
    main(sys.argv[1], sys.argv[2])
