#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace termijn::domain {

/// What a file's content is, judged from its bytes (magic numbers, container structure, text).
struct DetectedType {
  std::string media_type;   ///< e.g. "application/pdf"; "application/octet-stream" if unknown
  std::string description;  ///< e.g. "a Windows executable", for error messages
  bool allowed = false;     ///< on the allowlist (see kAllowedMediaTypes)
};

/// The media types a copy of a request may have: documents and images a DPO can open without
/// running code. ODF documents are every application/vnd.oasis.opendocument.* type.
const std::vector<std::string>& allowed_media_types();

/// Detects the type of `content` from its bytes alone.
DetectedType detect_media_type(std::string_view content);

/// Checks a copy's declared media type against its content and the allowlist. Returns the media
/// type to store (the declared one, lower-cased without parameters; the detected one when none
/// or application/octet-stream was declared), or nullopt with `*error` set to a message that
/// starts with the field it is about ("copy.media_type: ..." or "copy.content: ...").
std::optional<std::string> checked_media_type(std::string_view declared, std::string_view content,
                                              std::string* error);

/// The name a copy is saved under: `file_name` when its extension fits `media_type`, else with
/// the type's own extension added ("brief.html" of plain text -> "brief.html.txt"), so that a
/// desktop opens the file as what it was checked to be, never as a page or a program.
std::string download_name(const std::string& file_name, std::string_view media_type);

}  // namespace termijn::domain
