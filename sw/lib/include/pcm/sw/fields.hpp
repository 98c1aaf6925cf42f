// Typed configurations and results described once, as DRAMSys describes its
// config structs: every struct lists its fields in a static `fields(self, v)`
// that calls v(name, member, doc) for each. JSON in and out, the sweep CSV's
// columns and the command-line options are all generated from that list, so
// a new knob or result is added in exactly one place.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace pcm::sw {

// What the command line shows for a field: its value placeholder and help.
// Result fields have none.
struct FieldDoc {
  const char* arg = "";
  const char* help = "";
};

// A field's command-line option: "large_fraction" -> "large-fraction" (the
// commands, and sweep grids, which accept either spelling).
inline std::string option_of(std::string field) {
  for (char& c : field) c = c == '_' ? '-' : c;
  return field;
}

namespace detail {
struct NoVisit {
  template <class... A>
  void operator()(A&&...) const {}
};
template <class T, class = void>
struct HasFields : std::false_type {};
template <class T>
struct HasFields<T, std::void_t<decltype(T::fields(std::declval<T&>(), NoVisit{}))>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T, class A>
struct IsVector<std::vector<T, A>> : std::true_type {};
// A list of structs with fields (per-tensor records).
template <class T>
struct IsFieldVector : std::false_type {};
template <class T, class A>
struct IsFieldVector<std::vector<T, A>> : HasFields<T> {};
}  // namespace detail

template <class T>
inline constexpr bool kHasFields = detail::HasFields<T>::value;

// A struct with fields as a JSON object (nested structs as nested objects).
template <class T>
nlohmann::json fields_to_json(const T& s) {
  nlohmann::json j = nlohmann::json::object();
  T::fields(s, [&](const char* name, const auto& value, FieldDoc = {}) {
    using V = std::decay_t<decltype(value)>;
    if constexpr (kHasFields<V>) {
      j[name] = fields_to_json(value);
    } else if constexpr (detail::IsFieldVector<V>::value) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& e : value) a.push_back(fields_to_json(e));
      j[name] = std::move(a);
    } else {
      j[name] = value;
    }
  });
  return j;
}

// Reads the fields present in j into s (absent ones keep their value); a
// field of the wrong type throws nlohmann::json::exception.
template <class T>
void fields_from_json(const nlohmann::json& j, T& s) {
  T::fields(s, [&](const char* name, auto& value, FieldDoc = {}) {
    using V = std::decay_t<decltype(value)>;
    if (!j.contains(name)) return;
    const nlohmann::json& e = j.at(name);
    if constexpr (kHasFields<V>) {
      fields_from_json(e, value);
    } else if constexpr (detail::IsFieldVector<V>::value) {
      value.clear();
      for (const auto& x : e) fields_from_json(x, value.emplace_back());
    } else {
      e.get_to(value);
    }
  });
}

// One scalar as a CSV cell's text (numbers as JSON writes them: the shortest
// text that reads back the same double).
template <class V>
std::string scalar_text(const V& v) {
  if constexpr (std::is_same_v<V, std::string>) {
    return v;
  } else {
    return nlohmann::json(v).dump();
  }
}

// The scalar fields of s, flattened: nested struct fields are named
// PREFIX_FIELD; lists (per-seed values, per-tensor records) are left out.
template <class T>
void flatten_fields(const T& s, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
  T::fields(s, [&](const char* name, const auto& value, FieldDoc = {}) {
    using V = std::decay_t<decltype(value)>;
    const std::string key = prefix.empty() ? std::string(name) : prefix + "_" + name;
    if constexpr (kHasFields<V>) {
      flatten_fields(value, key, out);
    } else if constexpr (!detail::IsVector<V>::value) {
      out.emplace_back(key, scalar_text(value));
    }
  });
}

}  // namespace pcm::sw
