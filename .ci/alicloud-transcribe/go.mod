module regionkit.local/alicloud-transcribe

go 1.25
