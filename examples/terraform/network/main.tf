# A DataArts Studio instance and the network it needs, created together by
# the real HuaweiCloud Terraform provider against a Dayu in intercept mode:
# no endpoints block. See README.md in this directory.

terraform {
  required_providers {
    huaweicloud = {
      source = "huaweicloud/huaweicloud"
    }
  }
}

# The dev world's credentials (devworld.go; GET /_dayu/quickstart).
provider "huaweicloud" {
  region     = "cn-north-4"
  access_key = "DAYUDEVACCESSKEY0001"
  secret_key = "dayuDevSecretKey0000000000000000000000001"
  project_id = "0123456789abcdef0123456789abcdef"
}

variable "enterprise_project_id" {
  description = "The enterprise project of the VPC, the security group and the instance: one of the dev world's."
  type        = string
  default     = "3a7e0c1e-4b8f-4d8e-9c1a-0d5e6f7a8b9c" # "dev"
}

data "huaweicloud_availability_zones" "this" {}

resource "huaweicloud_vpc" "this" {
  name                  = "dayu-example-vpc"
  cidr                  = "192.168.0.0/16"
  enterprise_project_id = var.enterprise_project_id
}

resource "huaweicloud_vpc_subnet" "this" {
  name       = "dayu-example-subnet"
  vpc_id     = huaweicloud_vpc.this.id
  cidr       = cidrsubnet(huaweicloud_vpc.this.cidr, 8, 0)
  gateway_ip = cidrhost(cidrsubnet(huaweicloud_vpc.this.cidr, 8, 0), 1)
}

resource "huaweicloud_networking_secgroup" "this" {
  name                  = "dayu-example-secgroup"
  enterprise_project_id = var.enterprise_project_id
  delete_default_rules  = true
}

resource "huaweicloud_dataarts_studio_instance" "this" {
  name                  = "dgc-network-example"
  version               = "dayu.starter"
  vpc_id                = huaweicloud_vpc.this.id
  subnet_id             = huaweicloud_vpc_subnet.this.id
  security_group_id     = huaweicloud_networking_secgroup.this.id
  availability_zone     = data.huaweicloud_availability_zones.this.names[0]
  enterprise_project_id = var.enterprise_project_id
  period_unit           = "month"
  period                = 1
  auto_renew            = "false"
}

output "instance_id" {
  value = huaweicloud_dataarts_studio_instance.this.id
}

output "subnet_id" {
  value = huaweicloud_vpc_subnet.this.id
}
