#include "common/boot_files.h"

#include <gtest/gtest.h>

namespace regwatch::domain {
namespace {

struct Case {
  const char* name;
  BootFileKind kind;
};

TEST(BootFiles, ClassifiesTheFilesPhonesAskFor) {
  const Case cases[] = {
      {"CTLSEP0017943A98BA.tlv", BootFileKind::kCtl},
      {"CTLFile.tlv", BootFileKind::kCtl},
      {"ITLSEP0017943A98BA.tlv", BootFileKind::kItl},
      {"ITLFile.tlv", BootFileKind::kItl},
      {"SEP0017943A98BA.cnf.xml", BootFileKind::kConfig},
      {"SEP0017943A98BA.cnf.xml.sgn", BootFileKind::kConfigSigned},
      {"SEP0017943A98BA.cnf.xml.enc.sgn", BootFileKind::kConfigEncrypted},
      {"XMLDefault.cnf.xml", BootFileKind::kDefaultConfig},
      {"XMLDefault.cnf.xml.sgn", BootFileKind::kDefaultConfig},
      {"SCCP41.9-4-2SR3-1S.loads", BootFileKind::kFirmwareLoad},
      {"term41.default.loads", BootFileKind::kFirmwareLoad},
      {"term41.default", BootFileKind::kFirmwareLoad},
      {"sip88xx.12-8-1-0001-455.loads", BootFileKind::kFirmwareLoad},
      {"apps41.9-4-2ES26.sbn", BootFileKind::kFirmwareImage},
      {"cnu41.9-4-2ES26.sbn", BootFileKind::kFirmwareImage},
      {"dsp41.9-4-2ES26.sbn", BootFileKind::kFirmwareImage},
      {"jar41.9-4-2ES26.sbn", BootFileKind::kFirmwareImage},
      // The 8800 series' images (kern88xx..., rootfs88xx... .sbn) and other families' .img,
      // .zz, .sb2, .bin, .pkg.
      {"kern88xx.12-8-1-0001-455.sbn", BootFileKind::kFirmwareImage},
      {"rootfs88xx.12-8-1-0001-455.sbn", BootFileKind::kFirmwareImage},
      {"kern88xx.12-8-1-0001-455.img", BootFileKind::kFirmwareImage},
      {"cp7832.12-8-1-0001-455.zz", BootFileKind::kFirmwareImage},
      {"P00308010200.sb2", BootFileKind::kFirmwareImage},
      {"P00308010200.bin", BootFileKind::kFirmwareImage},
      {"cmterm-8845.pkg", BootFileKind::kFirmwareImage},
      {"RingList.xml", BootFileKind::kOther},
      {"English_United_States/", BootFileKind::kOther},
      {"Desktops/320x212x12/List.xml", BootFileKind::kOther},
      {"dialplan.xml", BootFileKind::kOther},
      {"", BootFileKind::kOther},
      {"/", BootFileKind::kOther},
      {".tlv", BootFileKind::kOther},
  };
  for (const Case& c : cases)
    EXPECT_EQ(boot_file_kind_name(classify_boot_file(c.name)), boot_file_kind_name(c.kind))
        << c.name;
}

TEST(BootFiles, IgnoresCaseDirectoriesAndQueries) {
  EXPECT_EQ(classify_boot_file("/SEP0017943A98BA.cnf.xml.sgn?x"), BootFileKind::kConfigSigned);
  EXPECT_EQ(classify_boot_file("sep0017943a98ba.CNF.XML"), BootFileKind::kConfig);
  EXPECT_EQ(classify_boot_file("/tftpboot/ctlsep0017943a98ba.TLV"), BootFileKind::kCtl);
  EXPECT_EQ(classify_boot_file("C:\\TFTP\\xmldefault.CNF.xml"), BootFileKind::kDefaultConfig);
  EXPECT_EQ(classify_boot_file("/a/SEP0017943A98BA.cnf.xml#frag"), BootFileKind::kConfig);
}

TEST(BootFiles, ConfigNeedsSepAndAMac) {
  // Not a device's name: the suffix alone does not make a config.
  EXPECT_EQ(classify_boot_file("SEPDefault.cnf.xml"), BootFileKind::kOther);
  EXPECT_EQ(classify_boot_file("SEP0017943A98B.cnf.xml"), BootFileKind::kOther);
  EXPECT_EQ(classify_boot_file("SPDefault.cnf.xml"), BootFileKind::kOther);
  EXPECT_EQ(classify_boot_file("SEP0017943A98BA.cnf.xml.bak"), BootFileKind::kOther);
}

TEST(BootFiles, KindNames) {
  EXPECT_EQ(boot_file_kind_name(BootFileKind::kConfigSigned), "config_signed");
  EXPECT_EQ(boot_file_kind_name(BootFileKind::kConfigEncrypted), "config_encrypted");
  EXPECT_EQ(boot_file_kind_name(BootFileKind::kDefaultConfig), "default_config");
  EXPECT_EQ(boot_file_kind_name(BootFileKind::kFirmwareLoad), "firmware_load");
  EXPECT_EQ(boot_file_kind_name(BootFileKind::kFirmwareImage), "firmware_image");
  EXPECT_EQ(boot_file_kind_name(BootFileKind::kOther), "other");
  EXPECT_FALSE(boot_file_matters(BootFileKind::kOther));
  EXPECT_TRUE(boot_file_matters(BootFileKind::kItl));
}

TEST(BootFiles, DeviceNameInFileName) {
  EXPECT_EQ(device_name_in_boot_file("CTLSEP0017943A98BA.tlv"), "SEP0017943A98BA");
  EXPECT_EQ(device_name_in_boot_file("itlsep0017943a98ba.tlv"), "SEP0017943A98BA");
  EXPECT_EQ(device_name_in_boot_file("SEP0017943A98BA.cnf.xml"), "SEP0017943A98BA");
  EXPECT_EQ(device_name_in_boot_file("/sep0017943a98ba.cnf.xml.sgn?x=1"), "SEP0017943A98BA");
  EXPECT_EQ(device_name_in_boot_file("SEP0017943A98BA.cnf.xml.enc.sgn"), "SEP0017943A98BA");
  EXPECT_EQ(device_name_in_boot_file("ITLFile.tlv"), "");
  EXPECT_EQ(device_name_in_boot_file("XMLDefault.cnf.xml"), "");
  EXPECT_EQ(device_name_in_boot_file("SEP0017943A98BA.xml"), "");
  EXPECT_EQ(device_name_in_boot_file("SCCP41.9-4-2SR3-1S.loads"), "");
  EXPECT_EQ(device_name_in_boot_file(""), "");
}

TEST(BootFiles, BaseName) {
  EXPECT_EQ(boot_file_base_name("/a/SEP1.cnf.xml?x=1"), "SEP1.cnf.xml");
  EXPECT_EQ(boot_file_base_name("Desktops/320x212x12/List.xml"), "List.xml");
  EXPECT_EQ(boot_file_base_name("English_United_States/"), "English_United_States");
  EXPECT_EQ(boot_file_base_name("RingList.xml"), "RingList.xml");
  EXPECT_EQ(boot_file_base_name("?only=query"), "");
}

}  // namespace
}  // namespace regwatch::domain
