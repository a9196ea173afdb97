// Package cloudtrail is the aws_cloudtrail event source of the rule engine:
// Falco's cloudtrail plugin fields (ct.*, s3.*, ec2.*, ecr.*) and the json
// plugin's fields (json.*, jevt.*) over AWS CloudTrail records, decoded from
// the documents CloudTrail writes to S3 ({"Records":[...]}, gzipped or not)
// or from JSON lines.
//
// Records are decoded once into an immutable *Record; accessors of condition
// fields do not allocate (ct.info and json.obj, used in outputs, do). Values
// follow the plugin: strings as they are, other JSON values as compact JSON;
// a missing key is a missing field.
//
// Deliberate differences from the plugin, where it contradicts its own
// documentation: s3.cnt.get/put/other are always present (1 or 0);
// ct.user.accountid falls back to recipientAccountId; ec2.imageid reads
// responseElements.instancesSet.items[0].imageId. ct.request.bucketname and
// ct.request.key are additions (requestParameters.bucketName / .key).
package cloudtrail
