# A DataArts Studio instance bought from a local Dayu with the real
# HuaweiCloud Terraform provider. Every value below is the dev world's
# (dayu.DevQuickstart in devworld.go; GET http://127.0.0.1:8080/_dayu/quickstart
# shows them too). See README.md in this directory.

terraform {
  required_providers {
    huaweicloud = {
      source = "huaweicloud/huaweicloud"
    }
  }
}

provider "huaweicloud" {
  region     = "cn-north-4"
  access_key = "DAYUDEVACCESSKEY0001"
  secret_key = "dayuDevSecretKey0000000000000000000000001"
  project_id = "0123456789abcdef0123456789abcdef"

  # One Dayu answers the four services the resource uses (docs/contract.md §9);
  # the keys are those of the provider's service catalog
  # (huaweicloud/config/endpoints.go: "dataarts", "bss", "iam", and "eps"
  # for a change of enterprise_project_id).
  endpoints = {
    dataarts = "http://127.0.0.1:8080/"
    bss      = "http://127.0.0.1:8080/"
    iam      = "http://127.0.0.1:8080/"
    eps      = "http://127.0.0.1:8080/"
  }
  insecure = true

  # Optional: Dayu answers both start-up calls, but these skip them.
  # domain_id               = "9f8e7d6c5b4a39281706f5e4d3c2b1a0" # no GET /v3/auth/domains
  # skip_check_website_type = true                               # no GET /v2/products/service-types
}

resource "huaweicloud_dataarts_studio_instance" "dev" {
  name              = "dgc-terraform"
  version           = "dayu.starter"
  vpc_id            = "11111111-2222-3333-4444-555555555555"
  subnet_id         = "66666666-7777-8888-9999-000000000000"
  security_group_id = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
  availability_zone = "cn-north-4a"
  period_unit       = "month"
  period            = 1
  auto_renew        = "false"

  # One instance per enterprise project; without it the default one ("0")
  # is used. Changing it is the resource's one in-place update: the
  # provider moves the instance with EPS (see README.md), e.g. apply with
  # -var enterprise_project_id=3a7e0c1e-4b8f-4d8e-9c1a-0d5e6f7a8b9d ("staging").
  enterprise_project_id = var.enterprise_project_id
}

variable "enterprise_project_id" {
  description = "The enterprise project of the instance: one of the dev world's (devworld.go)."
  type        = string
  default     = "3a7e0c1e-4b8f-4d8e-9c1a-0d5e6f7a8b9c" # "dev"
}

output "instance_id" {
  value = huaweicloud_dataarts_studio_instance.dev.id
}

output "order_id" {
  value = huaweicloud_dataarts_studio_instance.dev.order_id
}

output "status" {
  value = huaweicloud_dataarts_studio_instance.dev.status
}

output "enterprise_project_id" {
  value = huaweicloud_dataarts_studio_instance.dev.enterprise_project_id
}
