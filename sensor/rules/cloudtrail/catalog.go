package cloudtrail

import "strings"

// catalog lists the cloudtrail plugin's fields, then json.*/jevt.* and evt.*.
func catalog() []field {
	w := func(get func(*wire) text) func(*Record) text { return func(r *Record) text { return get(&r.w) } }
	q := func(get func(*requestParams) text) func(*Record) text {
		return func(r *Record) text { return get(&r.req) }
	}
	fs := []field{
		scalar("ct.id", "The unique ID of the cloudtrail event (eventID)", w(func(x *wire) text { return x.EventID })),
		scalar("ct.error", "The error code of the event; missing when there was no error", w(func(x *wire) text { return x.ErrorCode })),
		scalar("ct.errormessage", "The error message; missing when there was no error", w(func(x *wire) text { return x.ErrorMessage })),
		scalar("ct.time", "The timestamp of the event (eventTime)", w(func(x *wire) text { return x.EventTime })),
		scalar("ct.src", "The source of the event (eventSource)", w(func(x *wire) text { return x.EventSource })),
		str("ct.shortsrc", "The source of the event without the .amazonaws.com suffix", func(r *Record) (string, bool) {
			return strings.TrimSuffix(r.w.EventSource.s, ".amazonaws.com"), r.w.EventSource.ok
		}),
		scalar("ct.name", "The name of the event (eventName)", w(func(x *wire) text { return x.EventName })),
		str("ct.user", "The user of the event (userName, invokedBy or session issuer, by identity type)", (*Record).user),
		str("ct.user.accountid", "The account id of the user (else recipientAccountId)", func(r *Record) (string, bool) {
			if a := r.w.UserIdentity.AccountID; a.ok {
				return a.s, true
			}
			return r.w.RecipientAccountID.s, r.w.RecipientAccountID.ok
		}),
		scalar("ct.user.identitytype", "The kind of user identity (Root, IAMUser, AssumedRole, AWSService…)", w(func(x *wire) text { return x.UserIdentity.Type })),
		scalar("ct.user.principalid", "A unique identifier for the user that made the request", w(func(x *wire) text { return x.UserIdentity.PrincipalID })),
		scalar("ct.user.arn", "The ARN of the user that made the request", w(func(x *wire) text { return x.UserIdentity.ARN })),
		scalar("ct.region", "The region of the event (awsRegion)", w(func(x *wire) text { return x.AWSRegion })),
		scalar("ct.response.subnetid", "The subnet ID in the response", func(r *Record) text { return r.resp.SubnetID }),
		scalar("ct.response.reservationid", "The reservation ID in the response", func(r *Record) text { return r.resp.ReservationID }),
		scalar("ct.response", "All response elements, as JSON", w(func(x *wire) text { return x.ResponseElements })),
		scalar("ct.request.availabilityzone", "The availability zone in the request", q(func(p *requestParams) text { return p.AvailabilityZone })),
		scalar("ct.request.cluster", "The cluster in the request", q(func(p *requestParams) text { return p.Cluster })),
		scalar("ct.request.functionname", "The function name in the request", q(func(p *requestParams) text { return p.FunctionName })),
		scalar("ct.request.groupname", "The group name in the request", q(func(p *requestParams) text { return p.GroupName })),
		scalar("ct.request.host", "The host in the request", q(func(p *requestParams) text { return p.Host })),
		scalar("ct.request.name", "The name of the entity acted on in the request", q(func(p *requestParams) text { return p.Name })),
		scalar("ct.request.policy", "The policy in the request", q(func(p *requestParams) text { return p.Policy })),
		scalar("ct.request.serialnumber", "The serial number in the request", q(func(p *requestParams) text { return p.SerialNumber })),
		scalar("ct.request.servicename", "The service name in the request", q(func(p *requestParams) text { return p.ServiceName })),
		scalar("ct.request.subnetid", "The subnet ID in the request", q(func(p *requestParams) text { return p.SubnetID })),
		scalar("ct.request.taskdefinition", "The task definition in the request", q(func(p *requestParams) text { return p.TaskDefinition })),
		scalar("ct.request.username", "The user name in the request", q(func(p *requestParams) text { return p.UserName })),
		scalar("ct.request.bucketname", "The S3 bucket name in the request (requestParameters.bucketName)", q(func(p *requestParams) text { return p.BucketName })),
		scalar("ct.request.key", "The S3 object key in the request (requestParameters.key)", q(func(p *requestParams) text { return p.Key })),
		scalar("ct.request", "All request parameters, as JSON", w(func(x *wire) text { return x.RequestParameters })),
		scalar("ct.srcip", "The IP address generating the event (sourceIPAddress)", w(func(x *wire) text { return x.SourceIPAddress })),
		scalar("ct.useragent", "The user agent generating the event", w(func(x *wire) text { return x.UserAgent })),
		str("ct.info", "Summary of the event: who, from where, read/write, what", func(r *Record) (string, bool) { return r.info(), true }),
		str("ct.managementevent", "'true' for a management event, else 'false'", func(r *Record) (string, bool) {
			return boolText(r.w.ManagementEvent.s == "true"), true
		}),
		str("ct.readonly", "'true' if the event only reads information, 'false' if it modifies state", (*Record).readOnly),
		scalar("ct.requestid", "The request ID", w(func(x *wire) text { return x.RequestID })),
		scalar("ct.eventtype", "The type of event (AwsApiCall, AwsConsoleSignIn…)", w(func(x *wire) text { return x.EventType })),
		scalar("ct.apiversion", "The API version of an AwsApiCall", w(func(x *wire) text { return x.APIVersion })),
		scalar("ct.resources", "The resources accessed, as JSON", w(func(x *wire) text { return x.Resources })),
		scalar("ct.recipientaccountid", "The account ID that received the event", w(func(x *wire) text { return x.RecipientAccountID })),
		scalar("ct.serviceeventdetails", "The service event details, as JSON", w(func(x *wire) text { return x.ServiceEventDetails })),
		scalar("ct.sharedeventid", "GUID identifying events shared between accounts", w(func(x *wire) text { return x.SharedEventID })),
		scalar("ct.vpcendpointid", "The VPC endpoint the request came through", w(func(x *wire) text { return x.VPCEndpointID })),
		scalar("ct.eventcategory", "The event category (Management, Data, Insight)", w(func(x *wire) text { return x.EventCategory })),
		scalar("ct.addendum.reason", "Why the event or some of its contents were missing", w(func(x *wire) text { return x.Addendum.Reason })),
		scalar("ct.addendum.updatedfields", "The fields updated by the addendum", w(func(x *wire) text { return x.Addendum.UpdatedFields })),
		scalar("ct.addendum.originalrequestid", "The original request ID", w(func(x *wire) text { return x.Addendum.OriginalRequestID })),
		scalar("ct.addendum.originaleventid", "The original event ID", w(func(x *wire) text { return x.Addendum.OriginalEventID })),
		scalar("ct.sessioncredentialfromconsole", "Whether the event came from a console session", w(func(x *wire) text { return x.SessionCredentialFromConsole })),
		scalar("ct.edgedevicedetails", "Edge devices targeted by the request, as JSON", w(func(x *wire) text { return x.EdgeDeviceDetails })),
		scalar("ct.tlsdetails.tlsversion", "The TLS version of the request", w(func(x *wire) text { return x.TLSDetails.TLSVersion })),
		scalar("ct.tlsdetails.ciphersuite", "The TLS cipher suite of the request", w(func(x *wire) text { return x.TLSDetails.CipherSuite })),
		scalar("ct.tlsdetails.clientprovidedhostheader", "The host name the client used", w(func(x *wire) text { return x.TLSDetails.ClientProvidedHostHeader })),
		scalar("ct.additionaleventdata", "All additional event data, as JSON", w(func(x *wire) text { return x.AdditionalEventData })),
		str("s3.uri", "The S3 URI (s3://<bucket>/<key>)", func(r *Record) (string, bool) { return r.s3URI, r.s3URI != "" }),
		scalar("s3.bucket", "The bucket name of an S3 event", q(func(p *requestParams) text { return p.BucketName })),
		scalar("s3.key", "The S3 key name", q(func(p *requestParams) text { return p.Key })),
		integer("s3.bytes", "The bytes of an S3 download plus upload", (*Record).bytes),
		integer("s3.bytes.in", "The bytes of an S3 upload", func(r *Record) (int64, bool) { return r.add.BytesIn.v, r.add.BytesIn.ok }),
		integer("s3.bytes.out", "The bytes of an S3 download", func(r *Record) (int64, bool) { return r.add.BytesOut.v, r.add.BytesOut.ok }),
		integer("s3.cnt.get", "1 for GetObject, else 0", countIf(func(n string) bool { return n == "GetObject" })),
		integer("s3.cnt.put", "1 for PutObject, else 0", countIf(func(n string) bool { return n == "PutObject" })),
		integer("s3.cnt.other", "0 for GetObject and PutObject, else 1", countIf(func(n string) bool { return n != "GetObject" && n != "PutObject" })),
		str("ec2.name", "The Name tag of the EC2 instances in the request", ec2Name),
		str("ec2.imageid", "The image ID of the first instance in the response", func(r *Record) (string, bool) {
			if it := r.resp.InstancesSet.Items; len(it) > 0 {
				return it[0].ImageID.s, it[0].ImageID.ok
			}
			return "", false
		}),
		scalar("ecr.repository", "The ECR repository in the request", q(func(p *requestParams) text { return p.RepositoryName })),
		scalar("ecr.image.tag", "The image tag in the request", q(func(p *requestParams) text { return p.ImageTag })),
		scalar("ecr.imagetag", "Alias of ecr.image.tag", q(func(p *requestParams) text { return p.ImageTag })),
	}
	return append(fs, commonFields()...)
}

func countIf(f func(eventName string) bool) func(*Record) (int64, bool) {
	return func(r *Record) (int64, bool) {
		if f(r.w.EventName.s) {
			return 1, true
		}
		return 0, true
	}
}

func ec2Name(r *Record) (string, bool) {
	for _, it := range r.req.TagSpecification.Items {
		if it.ResourceType.s != "instance" {
			continue
		}
		for _, tag := range it.Tags {
			if tag.Key.s == "Name" && tag.Value.s != "" {
				return tag.Value.s, true
			}
		}
	}
	return "", false
}
