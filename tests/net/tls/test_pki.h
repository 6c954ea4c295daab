#pragma once
// Certificates made by the test, with the OpenSSL API: a CA, leaves signed by it for
// 127.0.0.1 and localhost (or any names), expired ones, and the PEM files the code under
// test reads. Nothing is fetched and nothing outlives the test's temporary directory.
//
//   TestPki pki;                                    // a CA of its own
//   TestCert leaf = pki.Leaf({"IP:127.0.0.1", "DNS:localhost"});
//   std::string dir = MakeTempDir();
//   pki.WriteCa(dir + "/ca.pem");  leaf.Write(dir + "/leaf.pem", dir + "/leaf.key");

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <string>
#include <vector>

#include "net/base/check.h"

namespace hookfan::testing {

struct TestCert {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;

  TestCert() = default;
  TestCert(TestCert&& other) noexcept : key(other.key), cert(other.cert) {
    other.key = nullptr;
    other.cert = nullptr;
  }
  TestCert(const TestCert&) = delete;
  TestCert& operator=(const TestCert&) = delete;
  ~TestCert() {
    EVP_PKEY_free(key);
    X509_free(cert);
  }

  void WriteCert(const std::string& path) const {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    HOOKFAN_CHECK(file != nullptr && PEM_write_X509(file, cert) == 1);
    std::fclose(file);
  }
  void WriteKey(const std::string& path) const {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    HOOKFAN_CHECK(file != nullptr &&
                  PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1);
    std::fclose(file);
  }
  void Write(const std::string& cert_path, const std::string& key_path) const {
    WriteCert(cert_path);
    WriteKey(key_path);
  }
};

class TestPki {
 public:
  explicit TestPki(const char* name = "hookfan test CA") {
    ca_.key = EVP_EC_gen("P-256");
    HOOKFAN_CHECK(ca_.key != nullptr);
    ca_.cert = NewCert(name, ca_.key, -1, 30);
    AddExtension(ca_.cert, ca_.cert, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(ca_.cert, ca_.cert, NID_key_usage, "critical,keyCertSign,cRLSign");
    AddExtension(ca_.cert, ca_.cert, NID_subject_key_identifier, "hash");
    X509_set_issuer_name(ca_.cert, X509_get_subject_name(ca_.cert));
    HOOKFAN_CHECK(X509_sign(ca_.cert, ca_.key, EVP_sha256()) > 0);
  }

  const TestCert& ca() const { return ca_; }
  void WriteCa(const std::string& path) const { ca_.WriteCert(path); }

  // A leaf signed by this CA for `names` ("IP:127.0.0.1", "DNS:localhost"), valid from
  // `from_days` to `to_days` relative to now (negative: in the past).
  TestCert Leaf(const std::vector<std::string>& names, int from_days = -1, int to_days = 30,
                bool client = false) const {
    TestCert leaf;
    leaf.key = EVP_EC_gen("P-256");
    HOOKFAN_CHECK(leaf.key != nullptr);
    leaf.cert = NewCert("hookfan test leaf", leaf.key, from_days, to_days);
    X509_set_issuer_name(leaf.cert, X509_get_subject_name(ca_.cert));
    std::string san;
    for (const std::string& name : names) san += (san.empty() ? "" : ",") + name;
    if (!san.empty()) AddExtension(leaf.cert, ca_.cert, NID_subject_alt_name, san.c_str());
    AddExtension(leaf.cert, ca_.cert, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(leaf.cert, ca_.cert, NID_ext_key_usage, client ? "clientAuth" : "serverAuth");
    AddExtension(leaf.cert, ca_.cert, NID_authority_key_identifier, "keyid");
    HOOKFAN_CHECK(X509_sign(leaf.cert, ca_.key, EVP_sha256()) > 0);
    return leaf;
  }

 private:
  static X509* NewCert(const char* common_name, EVP_PKEY* key, int from_days, int to_days) {
    X509* cert = X509_new();
    HOOKFAN_CHECK(cert != nullptr);
    X509_set_version(cert, 2);
    static long serial = 1;
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert), static_cast<long>(from_days) * 86400);
    X509_gmtime_adj(X509_getm_notAfter(cert), static_cast<long>(to_days) * 86400);
    X509_set_pubkey(cert, key);
    X509_NAME* subject = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
    return cert;
  }
  static void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    HOOKFAN_CHECK(extension != nullptr);
    X509_add_ext(cert, extension, -1);
    X509_EXTENSION_free(extension);
  }

  TestCert ca_;
};

}  // namespace hookfan::testing
