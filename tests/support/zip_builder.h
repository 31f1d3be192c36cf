#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace termijn::testing {

/// A ZIP archive (APPNOTE.TXT 4.3) of `entries` (name, content), stored without compression and
/// in the given order, as ODF and OOXML writers make them. CRCs are left zero: the media type
/// check reads names, not data.
inline std::string stored_zip(const std::vector<std::pair<std::string, std::string>>& entries) {
  const auto le = [](std::string& out, uint32_t value, int width) {
    for (int i = 0; i < width; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  };
  std::string zip, directory;
  for (const auto& [name, content] : entries) {
    const auto offset = static_cast<uint32_t>(zip.size());
    const auto size = static_cast<uint32_t>(content.size());
    const auto name_length = static_cast<uint32_t>(name.size());
    zip += std::string("PK\x03\x04", 4);
    le(zip, 20, 2);  // version needed
    le(zip, 0, 2);   // flags
    le(zip, 0, 2);   // stored
    le(zip, 0, 4);   // time, date
    le(zip, 0, 4);   // crc-32
    le(zip, size, 4);
    le(zip, size, 4);
    le(zip, name_length, 2);
    le(zip, 0, 2);  // extra
    zip += name + content;
    directory += std::string("PK\x01\x02", 4);
    le(directory, 20, 2);  // made by
    le(directory, 20, 2);  // needed
    le(directory, 0, 2);
    le(directory, 0, 2);
    le(directory, 0, 4);
    le(directory, 0, 4);
    le(directory, size, 4);
    le(directory, size, 4);
    le(directory, name_length, 2);
    le(directory, 0, 2);  // extra
    le(directory, 0, 2);  // comment
    le(directory, 0, 2);  // disk
    le(directory, 0, 2);  // internal attributes
    le(directory, 0, 4);  // external attributes
    le(directory, offset, 4);
    directory += name;
  }
  const auto directory_offset = static_cast<uint32_t>(zip.size());
  zip += directory + std::string("PK\x05\x06", 4);
  le(zip, 0, 4);  // disks
  le(zip, static_cast<uint32_t>(entries.size()), 2);
  le(zip, static_cast<uint32_t>(entries.size()), 2);
  le(zip, static_cast<uint32_t>(directory.size()), 4);
  le(zip, directory_offset, 4);
  le(zip, 0, 2);  // comment
  return zip;
}

/// A minimal OpenDocument text and an OOXML Word document.
inline std::string odt_bytes() {
  return stored_zip({{"mimetype", "application/vnd.oasis.opendocument.text"},
                     {"content.xml", "<office:document-content/>"},
                     {"META-INF/manifest.xml", "<manifest:manifest/>"}});
}
inline std::string docx_bytes() {
  return stored_zip({{"[Content_Types].xml", "<Types/>"},
                     {"_rels/.rels", "<Relationships/>"},
                     {"word/document.xml", "<w:document/>"}});
}

}  // namespace termijn::testing
