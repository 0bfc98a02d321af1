/**
 * TEST-ONLY signing material for simulating Amazon SNS deliveries of Amazon SES events (local runtime, CLI, tests).
 *
 * A self-signed certificate (valid 2024-01-01 to 2124-01-01) and its RSA private key, generated once with openssl for
 * Hookguard. They are public on purpose and prove nothing: Amazon SNS never signs with this key, and the real host
 * `sns.us-east-1.amazonaws.com` does not serve this certificate at {@link SES_SIMULATOR_CERT_URL}, so in AWS the
 * certificate fetch fails and a message signed with this key is rejected. Only the local runtime's certificate source
 * serves this PEM for that one URL. Never configure this key or certificate anywhere else.
 */

/** The signing certificate URL simulated messages name (an SNS-shaped URL that AWS does not serve). */
export const SES_SIMULATOR_CERT_URL =
  'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-hookguard-simulator.pem';

/** TEST ONLY: the self-signed certificate the local runtime serves for {@link SES_SIMULATOR_CERT_URL}. */
export const SES_SIMULATOR_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIDejCCAmKgAwIBAgIBATANBgkqhkiG9w0BAQsFADBfMRIwEAYDVQQKDAlIb29r
Z3VhcmQxSTBHBgNVBAMMQEhvb2tndWFyZCBBbWF6b24gU05TIHNpbXVsYXRvciAo
dGVzdCBvbmx5LCBuZXZlciB0cnVzdGVkIGluIEFXUykwIBcNMjQwMTAxMDAwMDAw
WhgPMjEyNDAxMDEwMDAwMDBaMF8xEjAQBgNVBAoMCUhvb2tndWFyZDFJMEcGA1UE
AwxASG9va2d1YXJkIEFtYXpvbiBTTlMgc2ltdWxhdG9yICh0ZXN0IG9ubHksIG5l
dmVyIHRydXN0ZWQgaW4gQVdTKTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoC
ggEBAIh6GknbWmLLXumSCY5h26HUfcNV1OHaRGg6a2QQZTDw+roR9IALtNo7F7Xi
rFpJvW3B0OGUcaiEiF/TAFKh5vjfHBpFSUpOT3VJvZ7N9L0Kvuk8qcAn0zbq76B0
mVcaKWIVqQCH4u7n59bAw8n2YEAJHdZ1su+WQSpV8XWGY6oPTQEeNATRrNUdi7Kr
Ftq50LGD1ulChPyCNyrjiz7t+4+mB/8d9YAZKxsJ22jFb+hqZGVoJrr5VMwbOL4o
lmaUPITBtCq26CehqKcyovQ6xlcVe949Vn1DQY2ReA5uMQJ1wg0x4Xg608tKVySI
CAngbNsA5Q8A8HTLAlIaHtitxk0CAwEAAaM/MD0wDAYDVR0TAQH/BAIwADAOBgNV
HQ8BAf8EBAMCB4AwHQYDVR0OBBYEFHydItr5VfhiqTA0ycHt2KDM4krZMA0GCSqG
SIb3DQEBCwUAA4IBAQCCy+UlzwFEWTQw/PK32/vz5eqne3ymK6XhWjRc7MFYdFgs
yLxCQM8+sOIGBaviL2sB4xmUSRN6zvL0kimBQ5aP13SV7oKvGQY4wmowW+4By0WA
4y+n1F7JV+g6FzKvQk7jpCp0yntVU32D2SvG3WKt/S5hOKmsBt2/nYZiFdNsAG0W
orRO9rcltxVtUzun7/wjrZuzXerMBfoNrAxk2bfXX1kbQyQFBCBzjLD2CwJhVEdg
7UQI8FbvxqLSWjmch7FbS/ltJMOqlH/04P2WIs6U7FuNvmRI5IInYJL19PAyHlzu
PtO4a0dYDdPBm9jiNhcXcuo/mjkgYbabcPz15WVi
-----END CERTIFICATE-----
`;

/** TEST ONLY: the private key simulated SNS messages are signed with (SignatureVersion 2, SHA256withRSA). */
export const SES_SIMULATOR_PRIVATE_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCIehpJ21piy17p
kgmOYduh1H3DVdTh2kRoOmtkEGUw8Pq6EfSAC7TaOxe14qxaSb1twdDhlHGohIhf
0wBSoeb43xwaRUlKTk91Sb2ezfS9Cr7pPKnAJ9M26u+gdJlXGiliFakAh+Lu5+fW
wMPJ9mBACR3WdbLvlkEqVfF1hmOqD00BHjQE0azVHYuyqxbaudCxg9bpQoT8gjcq
44s+7fuPpgf/HfWAGSsbCdtoxW/oamRlaCa6+VTMGzi+KJZmlDyEwbQqtugnoain
MqL0OsZXFXvePVZ9Q0GNkXgObjECdcINMeF4OtPLSlckiAgJ4GzbAOUPAPB0ywJS
Gh7YrcZNAgMBAAECggEAFYEb3FBebRu7cFVNASzlNRos2NcQ7Kd+SOgPnNxCfZQz
BZenrXdqv0o5YbT+UFm3KfC0r566zAFaFbNDJUISiVtqa69ILZeqSIJeiQPN0O29
CDZBTyBXVRtut5s3wDREmgpsr0M6HEfZTYrhLtUN9HkbRPwVvk+wI/IX0ltjH9v/
am2rOYUcGba0NY4VB9UbOcV65x13QiK/DeQ2m4LEsO+wAFt4RbS+UFiDg06WzX8C
C9fAJqdkB8HId5+Gw7Cp3RorBFj5uqbhFxS0c0CRjae36EEPNQeRdZOb+2sPG+0q
Xto73aGxtE1sdF/80epRq34/o8tfZqN1RhtcG8GX4QKBgQDAEF0SGZenzyLA6Lq2
WMBoUTwkoWU1yJITaTJyYVy5A1sFgbndtifb0SRA/UzM/Pc1KSNulD6oJKqRugg0
TDJURDlRnO51oUq6A30odoea3wy2ewpf21jAVAFeJTPCmohZrhEQvU1UydchdclW
lY2QhifRNbAbCsixaJ1b7nW7UQKBgQC16KInIfGNwp23wXDjpuvVW8mxpW1rkry0
9syKU5LdyBdF9/stCts7s66+wT5/8CcG2vIUf6O9Evx6aGRmI3hRDDYgeWFqcJui
H9P7hu8UwVImTpYmyTb1kED+NPZkkIC0vRHMmxuGHuK8diyY8Fwkg44xu53HXrVB
trzaJAzkPQKBgQCtMxR7KhEVBzoz9KvLnKWGbRtrfRAkPEdesdMISryvK1N918qh
IY84L5Yd9U643LahfgOxyIXoY4hd+gFECCKq0wtNidOQyG726AaJ4rnO864nMTXd
05RpfFfvamUO7QRguxQwoEWIXKxgRDPYnO0Yk6J8i4nQGR16vviI2rXYwQKBgAMv
Bh9/NZYQkOgVZ59kXX5Hc/k69vZKBCl6pEvLeKePB/E+jNPV+85Ir8dA5JIiptw0
2sXHEhuOCIMv7onnFwT8HLpmxXCyddbZjcE6NFb9py1qdLBLFz4m/ywzyxgpe0cu
g/A7yriHM9quistGcaZl8wgly3YgzzVOOHHs7ZjVAoGAedBF2OU5Ycul2VW4P8Md
ah4VEMwmtVsmchXu5tNT10l7+dEW3cmfglFDkBynaDh5L8jcxl7b6HUMWvXlanpE
90CyMaRrPXh0uCo/9uFdPAyVSrzxzDZdXgsDOaD/nEtDyZMafAjifA/Fq4yXo1uz
IlQ+qRFrYEmDY17ttAo7I/Y=
-----END PRIVATE KEY-----
`;

/** The topic ARN simulated messages come from; add it to `snsTopicArns` to accept them locally. */
export const SES_SIMULATOR_TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:hookguard-ses-events';
