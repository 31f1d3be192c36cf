# Writes OUTPUT: a C++ source holding every sql/migrations/NNNN_name.sql file, in order, so that
# termijnd carries its schema with it.
file(GLOB files "${MIGRATIONS_DIR}/*.sql")
list(SORT files)
set(body "")
foreach(f ${files})
  get_filename_component(name "${f}" NAME_WE)
  file(READ "${f}" sql)
  string(APPEND body "    {\"${name}\", R\"termijn_sql(${sql})termijn_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from sql/migrations by embed_migrations.cmake.\n#include \"server/store/migrate.h\"\n\nnamespace termijn::store {\n\nconst std::vector<Migration>& migrations() {\n  static const std::vector<Migration> kMigrations{\n${body}  };\n  return kMigrations;\n}\n\n}  // namespace termijn::store\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
