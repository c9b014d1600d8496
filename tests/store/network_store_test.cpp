#include "store/network_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "store/state_store.h"

namespace tern::store {
namespace {

class NetworkStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tern-netstore-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    auto s = NetworkStore::Open(path());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(s).value();
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string path() const { return (dir_ / "state.db").string(); }
  static NetworkRecord Net(const std::string& name, int port) {
    return {name, std::string(64, 'a'), port, false, 5, "h1"};
  }
  static NetPortRecord Port(const std::string& net, const std::string& vm, int local, int remote) {
    return {net, vm, "52:54:00:00:00:01", local, remote, 7};
  }
  std::filesystem::path dir_;
  std::unique_ptr<NetworkStore> store_;
};

TEST_F(NetworkStoreTest, NetworksInsertGetListDelete) {
  ASSERT_TRUE(store_->InsertNetwork(Net("blue", 7600)).ok());
  ASSERT_TRUE(store_->InsertNetwork(Net("a-net", 7601)).ok());
  auto dup = store_->InsertNetwork(Net("blue", 7602));
  EXPECT_EQ(dup.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(dup.message().find("network 'blue' already exists"), std::string::npos);
  auto blue = store_->GetNetwork("blue");
  ASSERT_TRUE(blue.ok());
  EXPECT_EQ(blue->port, 7600);
  EXPECT_EQ(blue->key_hex, std::string(64, 'a'));
  EXPECT_EQ(blue->created_on, "h1");
  auto all = store_->ListNetworks();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "a-net");
  EXPECT_TRUE(store_->DeleteNetwork("blue").ok());
  EXPECT_EQ(store_->GetNetwork("blue").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteNetwork("blue").code(), StatusCode::kNotFound);
}

TEST_F(NetworkStoreTest, PortsNeverShareAUdpPortAndKeepTheirNetwork) {
  ASSERT_TRUE(store_->InsertNetwork(Net("blue", 7600)).ok());
  ASSERT_TRUE(store_->InsertPort(Port("blue", "vm1", 42000, 42001)).ok());
  // Either end of a new port may be neither end of a recorded one.
  for (const auto& [l, r] : {std::pair{42001, 42002}, std::pair{42002, 42000}, std::pair{42000, 42005}}) {
    auto s = store_->InsertPort(Port("blue", "vm2", l, r));
    EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << l << ":" << r;
    EXPECT_NE(s.message().find("used by vm 'vm1'"), std::string::npos) << s.message();
  }
  auto missing = store_->InsertPort(Port("green", "vm2", 42010, 42011));
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("network 'green' does not exist"), std::string::npos);
  ASSERT_TRUE(store_->InsertPort(Port("blue", "vm1", 42002, 42003)).ok());
  ASSERT_TRUE(store_->InsertPort(Port("blue", "vm2", 42004, 42005)).ok());
  EXPECT_EQ(store_->ListVmPorts("vm1")->size(), 2u);
  EXPECT_EQ(store_->ListNetworkPorts("blue")->size(), 3u);
  // A network with ports is not deleted.
  auto del = store_->DeleteNetwork("blue");
  EXPECT_EQ(del.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(del.message().find("still has VM ports"), std::string::npos);
  ASSERT_TRUE(store_->DeleteVmPorts("vm1").ok());
  ASSERT_TRUE(store_->DeletePort(42004).ok());
  EXPECT_TRUE(store_->ListPorts()->empty());
  EXPECT_TRUE(store_->DeleteNetwork("blue").ok());
}

TEST_F(NetworkStoreTest, SharesTheStateDatabaseWhichIsOwnerOnly) {
  ASSERT_TRUE(store_->InsertNetwork(Net("blue", 7600)).ok());
  auto state = StateStore::Open(path());
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Reopened: the record is durable.
  store_.reset();
  auto again = NetworkStore::Open(path());
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE((*again)->GetNetwork("blue").ok());
}

}  // namespace
}  // namespace tern::store
